module Lah.Retrieval.Tests.Main

[<EntryPoint>]
let main argv = Lah.Tests.ExpectoMain.run argv

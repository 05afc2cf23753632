module Lah.Experiments.Tests.Main

[<EntryPoint>]
let main argv = Lah.Tests.ExpectoMain.run argv

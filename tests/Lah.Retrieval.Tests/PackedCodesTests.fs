module Lah.Retrieval.Tests.PackedCodesTests

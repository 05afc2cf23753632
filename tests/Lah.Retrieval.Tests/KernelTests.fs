module Lah.Retrieval.Tests.KernelTests

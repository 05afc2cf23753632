module Lah.Retrieval.Tests.SearchTests

module Lah.Retrieval.Tests.MetricPropertyTests

using Xunit;

// The loop draws from its own generators, but some tests here draw from libtorch's global one on purpose (to show it
// does not matter) and the tensor accounting counts process-wide: run the tests one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Lah.Retrieval;

/// <summary>Runs blocks of a batch over cores; one thread runs inline, without the thread pool.</summary>
internal static class Parallelism
{
    public static int Threads(int threads) => threads <= 0 ? Environment.ProcessorCount : threads;

    public static void ForBlocks(int count, int blockSize, int threads, Action<int, int> body)
    {
        var blocks = (count + blockSize - 1) / blockSize;
        void Run(int b) => body(b * blockSize, Math.Min(count, (b + 1) * blockSize));
        if (Threads(threads) == 1 || blocks <= 1)
        {
            for (var b = 0; b < blocks; b++) Run(b);
            return;
        }
        Parallel.For(0, blocks, new ParallelOptions { MaxDegreeOfParallelism = Threads(threads) }, Run);
    }
}

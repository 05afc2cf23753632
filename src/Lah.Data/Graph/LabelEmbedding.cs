namespace Lah.Data;

/// <summary>One vector per label, row-major C × D (the GCN's input node features).</summary>
public sealed record LabelEmbedding(IReadOnlyList<string> Labels, int Dim, float[] Data)
{
    public ReadOnlySpan<float> Row(int label) => Data.AsSpan(label * Dim, Dim);

    /// <summary>
    /// Looks each label up in a word-vector file: the label itself, then with spaces as `_`, then the average of its
    /// words (split on spaces and `_`). Any word found nowhere → one error listing all of them.
    /// </summary>
    public static LabelEmbedding FromFile(IReadOnlyList<string> labels, string path, WordVectorFormat? format = null)
    {
        var (embedding, missing) = Lookup(labels, path, format);
        if (embedding is null)
            throw new DataFormatException(
                $"{path}: no vector for {missing.Count} label(s): {string.Join("; ", missing.Select(m => m.Words.Count > 1 ? $"{m.Label} ({string.Join(", ", m.Absent)})" : m.Label))}");
        return embedding;
    }

    /// <summary>
    /// <see cref="FromFile"/> without the exception: the embedding when every label has a vector (null otherwise),
    /// and the labels that have none, each with the words of it that the file lacks, so a caller can report them with
    /// the rest of a dataset's problems. Vectors of different lengths are still an error.
    /// </summary>
    public static (LabelEmbedding? Embedding, IReadOnlyList<MissingVector> Missing) Lookup(IReadOnlyList<string> labels, string path,
        WordVectorFormat? format = null)
    {
        var candidates = labels.Select(Candidates).ToArray();
        var vectors = WordVectors.Load(path, format ?? WordVectors.FormatOf(path),
            candidates.SelectMany(c => c.Whole.Append(null).Concat(c.Words)).OfType<string>());
        var missing = new List<MissingVector>();
        var rows = new float[labels.Count][];
        for (var i = 0; i < labels.Count; i++)
        {
            var whole = candidates[i].Whole.FirstOrDefault(vectors.ContainsKey);
            if (whole is not null)
            {
                rows[i] = vectors[whole];
                continue;
            }
            var absent = candidates[i].Words.Where(w => !vectors.ContainsKey(w)).ToList();
            if (absent.Count > 0 || candidates[i].Words.Length == 0)
            {
                missing.Add(new MissingVector(i, labels[i], candidates[i].Words, absent));
                continue;
            }
            var words = candidates[i].Words.Select(w => vectors[w]).ToArray();
            var avg = new float[words[0].Length];
            foreach (var w in words) for (var k = 0; k < avg.Length; k++) avg[k] += w[k];
            for (var k = 0; k < avg.Length; k++) avg[k] /= words.Length;
            rows[i] = avg;
        }
        if (missing.Count > 0 || labels.Count == 0) return (null, missing);
        var dim = rows[0].Length;
        var data = new float[labels.Count * dim];
        for (var i = 0; i < rows.Length; i++)
        {
            if (rows[i].Length != dim) throw new DataFormatException($"{path}: vectors of different lengths ({dim}, {rows[i].Length})");
            rows[i].CopyTo(data, i * dim);
        }
        return (new LabelEmbedding(labels, dim, data), missing);
    }

    /// <summary>Ablation input: the identity (C × C).</summary>
    public static LabelEmbedding OneHot(IReadOnlyList<string> labels)
    {
        var c = labels.Count;
        var data = new float[c * c];
        for (var i = 0; i < c; i++) data[i * c + i] = 1f;
        return new LabelEmbedding(labels, c, data);
    }

    /// <summary>Ablation input: i.i.d. standard normal vectors from a seed.</summary>
    public static LabelEmbedding Random(IReadOnlyList<string> labels, int dim, ulong seed)
    {
        var rng = Rng.For(seed, 0xE3B);
        var data = new float[labels.Count * dim];
        for (var i = 0; i < data.Length; i++) data[i] = (float)rng.NextGaussian();
        return new LabelEmbedding(labels, dim, data);
    }

    private static (string[] Whole, string[] Words) Candidates(string label) =>
        (new[] { label, label.Replace(' ', '_') }.Distinct().ToArray(),
         label.Split([' ', '_'], StringSplitOptions.RemoveEmptyEntries));
}

/// <summary>A label without a vector: its index, its words (split on spaces and `_`) and those the file lacks.</summary>
public sealed record MissingVector(int Index, string Label, IReadOnlyList<string> Words, IReadOnlyList<string> Absent);

using System.Security.Cryptography;
using System.Text;

namespace Lah.Data;

/// <summary>A custom dataset's given split: three list files (a training list usually inside the database).</summary>
public sealed record CustomLists(string Train, string Database, string Query);

/// <summary>
/// A custom dataset's single pool list, split DCH-style (<see cref="Splits.Dch"/>): <see cref="Queries"/> seeded
/// queries, the rest the database, <see cref="Train"/> training images drawn from the database.
/// </summary>
public sealed record CustomPool(string List, int Queries, int Train);

/// <summary>
/// Where a user's own labelled image set lies. <see cref="Root"/> is the folder the lists' image paths are relative
/// to; <see cref="Labels"/> a labels.txt (one name per line, the lists' column order). Exactly one of
/// <see cref="Lists"/> and <see cref="Pool"/> is set. List files are HashNet / DeepHash-pytorch `path l1 … lC`, LAH
/// CSV or COCO-style instances JSON, told by their extension (<see cref="LabelLists.FormatOf"/>) unless
/// <see cref="Format"/> says; `.gz` copies are read too.
/// </summary>
public sealed record CustomDatasetOptions
{
    public required string Root { get; init; }
    public required string Labels { get; init; }
    public CustomLists? Lists { get; init; }
    public CustomPool? Pool { get; init; }

    /// <summary>Word vectors for LAH's graph (word2vec / GloVe / fastText text, optionally `.gz`, or word2vec binary); null: none.</summary>
    public string? Vectors { get; init; }

    /// <summary>The vector file's format; null: from its extension (<see cref="WordVectors.FormatOf"/>).</summary>
    public WordVectorFormat? VectorFormat { get; init; }

    /// <summary>The lists' format; null: from each file's extension.</summary>
    public LabelListFormat? Format { get; init; }

    /// <summary>
    /// A leading part of the listed paths to drop before they are joined to <see cref="Root"/>: lists released with
    /// the authors' absolute folder (HashNet's NUS-WIDE lists start with `/home/…/dataset/nus_wide/`).
    /// </summary>
    public string? StripPrefix { get; init; }

    /// <summary>Queries may also be training or database images (an error otherwise): only where the protocol says so.</summary>
    public bool AllowOverlap { get; init; }

    public string Name { get; init; } = "custom";
}

/// <summary>What <see cref="CustomDataset.Load"/> checked (one line each) and the warnings it found.</summary>
public sealed record CustomDatasetReport(IReadOnlyList<string> Checked, IReadOnlyList<DataProblem> Warnings);

/// <summary>Every problem and warning of a custom dataset, and the dataset when there is no problem.</summary>
public sealed record CustomDatasetCheck(CustomDataset? Dataset, IReadOnlyList<DataProblem> Errors, IReadOnlyList<DataProblem> Warnings);

/// <summary>
/// A user's own labelled image set, loaded and checked before any training: the images (decoded by
/// <see cref="ImageFile"/>, so JPEG through TurboJPEG as everywhere else, PNG / BMP / GIF / WebP by ImageSharp), the
/// split (never leave-one-out: <see cref="SplitNames.CustomLists"/> or <see cref="SplitNames.CustomDch"/>), the label
/// embedding when vectors were given, and a report. The pool holds each image once: for given lists, the database
/// images in list order, then queries not in it, then training images in neither; the split's query and database
/// indices keep their lists' order, so an index file encoded from the lists ranks as the run's evaluation does.
/// <see cref="Fingerprint"/> identifies the labels, the split and the vectors (not the image bytes).
/// </summary>
public sealed record CustomDataset(MultiLabelDataset Dataset, RetrievalSplit Split, LabelEmbedding? Embedding,
    CustomDatasetReport Report, string Fingerprint)
{
    // Problems listed in the exception's message; Check returns all of them.
    private const int Listed = 200;

    /// <summary>
    /// Loads and checks the dataset. Every problem (file:line: what, expected …) is gathered first and thrown as one
    /// <see cref="DataFormatException"/>: rows with the wrong number of label columns or bad values, images listed
    /// twice in a list or with different labels in two, missing image files, labels without a vector, a query that is
    /// also a training or database image (unless <see cref="CustomDatasetOptions.AllowOverlap"/>), counts the pool
    /// cannot hold. Labels absent from training and images without any label are warnings, in the report.
    /// </summary>
    public static CustomDataset Load(CustomDatasetOptions options, ulong seed)
    {
        var check = Check(options, seed);
        if (check.Errors.Count == 0) return check.Dataset!;
        var lines = check.Errors.Take(Listed).Select(p => "  " + p);
        var more = check.Errors.Count > Listed ? $"\n  … and {check.Errors.Count - Listed} more (CustomDataset.Check lists them all)" : "";
        throw new DataFormatException(
            $"custom dataset '{options.Name}': {check.Errors.Count} problem(s) found before training:\n{string.Join("\n", lines)}{more}");
    }

    /// <summary>Runs every check of <see cref="Load"/> and returns the problems instead of throwing.</summary>
    public static CustomDatasetCheck Check(CustomDatasetOptions options, ulong seed) => new Analysis(options, seed).Run();

    private sealed record Row(string File, int Line, string Id, string FullPath, MultiLabel Labels);

    private sealed class Analysis(CustomDatasetOptions o, ulong seed)
    {
        private readonly List<DataProblem> _errors = [];
        private readonly List<DataProblem> _warnings = [];
        private readonly List<string> _checked = [];

        private void Error(string file, int line, string what) => _errors.Add(new DataProblem(file, line, what));
        private void Warn(string file, int line, string what) => _warnings.Add(new DataProblem(file, line, what));
        private CustomDatasetCheck Failed() => new(null, _errors, _warnings);

        public CustomDatasetCheck Run()
        {
            if ((o.Lists is null) == (o.Pool is null))
                throw new ArgumentException("custom dataset: give either lists (train, database, query) or one pool list with query and train counts");
            var root = Path.GetFullPath(o.Root);
            if (!Directory.Exists(root)) Error(o.Root, 0, "the image root folder does not exist");
            var (names, nameLines) = ReadLabelNames();
            if (names is null) return Failed();

            // Each list once, each image of it once; then the pool and the split.
            var lists = o.Lists is { } l
                ? new[] { ("database", l.Database), ("query", l.Query), ("train", l.Train) }
                : new[] { ("pool", o.Pool!.List) };
            var read = lists.Select(x => (Role: x.Item1, Rows: ReadList(x.Item2, names, root))).ToArray();
            var pool = new List<Row>();
            var index = new Dictionary<string, int>(StringComparer.Ordinal);
            var members = new Dictionary<string, int[]>();
            foreach (var (role, rows) in read)
            {
                _rows[role] = rows;
                var mine = new List<int>();
                foreach (var r in rows)
                {
                    if (index.TryGetValue(r.FullPath, out var i))
                    {
                        var first = pool[i];
                        if (!first.Labels.ToSigned().AsSpan().SequenceEqual(r.Labels.ToSigned()))
                            Error(r.File, r.Line, $"image '{r.Id}' has labels [{Signed(r.Labels)}] here but [{Signed(first.Labels)}] at {first.File}:{first.Line}; expected the same labels in every list");
                    }
                    else
                    {
                        i = pool.Count;
                        index[r.FullPath] = i;
                        pool.Add(r);
                    }
                    mine.Add(i);
                }
                members[role] = mine.ToArray();
            }

            RetrievalSplit? split = null;
            if (o.Lists is not null)
            {
                CheckOverlap(pool, members["query"], members["train"], "train");
                CheckOverlap(pool, members["query"], members["database"], "database");
                split = new RetrievalSplit(SplitNames.CustomLists, 0, members["train"], members["query"], members["database"]);
            }
            else
            {
                var (file, q, t) = (o.Pool!.List, o.Pool.Queries, o.Pool.Train);
                if (pool.Count > 0 && (q <= 0 || t <= 0 || q + t > pool.Count))
                    Error(file, 0, $"cannot draw {q} queries and {t} training images from {pool.Count} images; expected queries ≥ 1, train ≥ 1 and queries + train ≤ {pool.Count}");
                else if (pool.Count > 0)
                    split = Splits.Dch(pool.Count, q, t, seed) with { Protocol = SplitNames.CustomDch };
            }

            if (Directory.Exists(root)) CheckFiles(pool, root);
            if (split is not null) CheckLabels(names, nameLines, pool, split);
            var embedding = o.Vectors is null ? null : ReadVectors(names, nameLines);
            if (o.Vectors is null) _checked.Add("no word vectors: LAH's head runs without label embeddings");
            if (_errors.Count > 0 || split is null) return Failed();

            _checked.Add($"split {split.Protocol}: {split.Train.Length} training images, {split.Query.Length} queries, " +
                $"{split.Database.Length} database images{(o.Pool is null ? "" : $" (seed {seed})")}");
            var dataset = new MultiLabelDataset(o.Name, names,
                pool.Select(r => new DatasetItem(r.Id, new ImageFileSource(r.FullPath), r.Labels)));
            return new CustomDatasetCheck(
                new CustomDataset(dataset, split, embedding, new CustomDatasetReport(_checked, _warnings), Fingerprint(dataset, split, embedding)),
                _errors, _warnings);
        }

        private (string[]? Names, int[] Lines) ReadLabelNames()
        {
            if (!DataFile.Exists(o.Labels))
            {
                Error(o.Labels, 0, "label names file not found; expected one label name per line (labels.txt)");
                return (null, []);
            }
            var names = new List<string>();
            var lines = new List<int>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            var all = LabelFiles.ReadLines(o.Labels);
            for (var i = 0; i < all.Count; i++)
            {
                var name = all[i].Trim();
                if (name.Length == 0) continue;
                if (seen.TryGetValue(name, out var first))
                {
                    Error(o.Labels, i + 1, $"label '{name}' is named twice (first at line {first}); expected each label once");
                    continue;
                }
                seen[name] = i + 1;
                names.Add(name);
                lines.Add(i + 1);
            }
            if (names.Count == 0)
            {
                Error(o.Labels, 0, "no label names; expected one name per line");
                return (null, []);
            }
            _checked.Add($"{o.Labels}: {names.Count} label names, none repeated");
            return (names.ToArray(), lines.ToArray());
        }

        private List<Row> ReadList(string path, string[] names, string root)
        {
            var rows = new List<Row>();
            if (!DataFile.Exists(path))
            {
                Error(path, 0, "list file not found");
                return rows;
            }
            LabelTable table;
            int unannotated;
            var before = _errors.Count;
            try
            {
                table = LabelLists.Read(path, names, o.Format, _errors, out unannotated);
            }
            catch (DataFormatException e)
            {
                _errors.Add(DataProblem.Of(e.Message));
                return rows;
            }
            if (unannotated > 0)
                Warn(path, 0, $"{unannotated} image(s) without annotations left out (as COCO's readers do)");
            if (table.Count == 0 && _errors.Count == before)
                Error(path, 0, "lists no image");
            var firstAt = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < table.Count; i++)
            {
                var id = Strip(table.Names[i]);
                var full = Path.GetFullPath(Path.Combine(root, id));
                var line = table.LineOf(i);
                if (firstAt.TryGetValue(full, out var first))
                {
                    Error(path, line, $"image '{id}' is listed twice (first at line {first}); expected each image once per list");
                    continue;
                }
                firstAt[full] = line;
                rows.Add(new Row(path, line, id, full, table.Labels[i]));
            }
            var format = o.Format ?? LabelLists.FormatOf(path);
            _checked.Add($"{path}: {rows.Count} images ({format}), {names.Length} label columns each, none listed twice");
            return rows;
        }

        private string Strip(string listed) =>
            o.StripPrefix is { Length: > 0 } p && listed.StartsWith(p, StringComparison.Ordinal) ? listed[p.Length..] : listed;

        // Rows of each list as read (role → rows), parallel to the split's members of that role.
        private readonly Dictionary<string, List<Row>> _rows = [];

        private void CheckOverlap(List<Row> pool, int[] queries, int[] other, string role)
        {
            var what = role == "train" ? "training" : role;
            var set = other.ToHashSet();
            var both = Enumerable.Range(0, queries.Length).Where(k => set.Contains(queries[k])).ToArray();
            if (both.Length == 0)
            {
                _checked.Add($"no query image is also a {what} image");
                return;
            }
            if (o.AllowOverlap)
            {
                Warn(o.Lists!.Query, 0, $"{both.Length} query image(s) are also {what} images ({FileOf(role)}); allowed by allowOverlap");
                return;
            }
            var otherLine = new Dictionary<int, int>();
            for (var k = 0; k < other.Length; k++) otherLine.TryAdd(other[k], _rows[role][k].Line);
            foreach (var k in both)
                Error(o.Lists!.Query, _rows["query"][k].Line,
                    $"query image '{pool[queries[k]].Id}' is also a {what} image ({FileOf(role)}:{otherLine[queries[k]]}); " +
                    "expected disjoint lists (allowOverlap if the protocol allows it)");
        }

        private void CheckFiles(List<Row> pool, string root)
        {
            var exists = new bool[pool.Count];
            Parallel.For(0, pool.Count, i => exists[i] = File.Exists(pool[i].FullPath));
            var missing = Enumerable.Range(0, pool.Count).Where(i => !exists[i]).ToArray();
            if (missing.Length == 0)
            {
                _checked.Add($"all {pool.Count} listed images exist under {root}");
                return;
            }
            if (missing.Length == pool.Count && pool.Count > 1)
            {
                var r = pool[0];
                var hint = Path.IsPathRooted(r.Id) && o.StripPrefix is null
                    ? "; the lists hold absolute paths: set the prefix to strip (StripPrefix) so they are taken from root"
                    : "; expected root to be the folder the listed paths are relative to";
                Error(r.File, r.Line, $"none of the {pool.Count} listed images exists (the first: {r.FullPath}){hint}");
                return;
            }
            foreach (var i in missing)
                Error(pool[i].File, pool[i].Line, $"image file {pool[i].FullPath} not found");
        }

        private void CheckLabels(string[] names, int[] nameLines, List<Row> pool, RetrievalSplit split)
        {
            var inTrain = new int[names.Length];
            var inPool = new int[names.Length];
            foreach (var i in split.Train)
                for (var c = 0; c < names.Length; c++)
                    if (pool[i].Labels.Positive[c]) inTrain[c]++;
            foreach (var r in pool)
                for (var c = 0; c < names.Length; c++)
                    if (r.Labels.Positive[c]) inPool[c]++;
            var absent = 0;
            for (var c = 0; c < names.Length; c++)
            {
                if (inTrain[c] > 0) continue;
                absent++;
                Warn(o.Labels, nameLines[c], $"label '{names[c]}' occurs in no training image ({inPool[c]} in all the lists): " +
                    "the label graph has no edges for it and training never sees it");
            }
            _checked.Add($"{names.Length - absent} of {names.Length} labels occur in the {split.Train.Length} training images");
            foreach (var (role, rows) in _rows)
            {
                var empty = rows.Where(r => r.Labels.PositiveCount == 0).ToArray();
                if (empty.Length == 0) continue;
                Warn(FileOf(role), 0, $"{empty.Length} image(s) have no positive label (the first at line {empty[0].Line})" +
                    (role is "query" or "pool" ? "; no image is relevant to such a query" : ""));
            }
        }

        private string FileOf(string role) => role switch
        {
            "train" => o.Lists!.Train,
            "query" => o.Lists!.Query,
            "database" => o.Lists!.Database,
            _ => o.Pool!.List,
        };

        private LabelEmbedding? ReadVectors(string[] names, int[] nameLines)
        {
            var path = o.Vectors!;
            if (!DataFile.Exists(path))
            {
                Error(path, 0, "word-vector file not found");
                return null;
            }
            try
            {
                var (embedding, missing) = LabelEmbedding.Lookup(names, path, o.VectorFormat);
                foreach (var m in missing)
                    Error(o.Labels, nameLines[m.Index], $"label '{m.Label}' has no vector in {path}" +
                        (m.Words.Count > 1 ? $" (nor have its word(s) {string.Join(", ", m.Absent)})" : "") +
                        "; expected the label, or each of its words, in the file");
                if (embedding is not null)
                    _checked.Add($"{path}: a {embedding.Dim}-d vector for each of the {names.Length} labels");
                return embedding;
            }
            catch (DataFormatException e)
            {
                _errors.Add(DataProblem.Of(e.Message));
                return null;
            }
        }

        private static string Signed(MultiLabel m) => string.Join(",", m.ToSigned());

        private static string Fingerprint(MultiLabelDataset d, RetrievalSplit s, LabelEmbedding? e)
        {
            using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
            void Add(string text) => h.AppendData(Encoding.UTF8.GetBytes(text + "\n"));
            Add("lah-custom-dataset/1");
            Add(string.Join("\t", d.LabelNames));
            for (var i = 0; i < d.Count; i++) Add($"{d[i].Id}\t{Signed(d[i].Labels)}");
            Add($"{s.Protocol}\t{s.Seed}");
            Add(string.Join(",", s.Train));
            Add(string.Join(",", s.Query));
            Add(string.Join(",", s.Database));
            if (e is null) Add("no-vectors");
            else
            {
                Add($"vectors\t{e.Dim}");
                h.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(e.Data.AsSpan()));
            }
            return Convert.ToHexString(h.GetHashAndReset()).ToLowerInvariant();
        }
    }
}

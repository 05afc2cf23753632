using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Lah.Data;
using Lah.Torch;
using Lah.Torch.Serialization;
using Lah.Training.Inference;
using Lah.Vision;

namespace Lah.Training.Caching;

/// <summary>
/// Runs a frozen backbone once over a dataset and keeps the pooled features as safetensors shards
/// (`features` N×D and `labels` N×R, F32) under <c>root/&lt;dataset&gt;-&lt;data hash&gt;-&lt;backbone name&gt;-&lt;backbone and
/// weights hash&gt;/</c>, for feature-mode training. The key holds the backbone (registry name, architecture, width,
/// pooling) and its weights (a SHA-256 of the state dict), so two backbones keep separate entries; an entry is
/// reused only when the transform is unchanged too, otherwise it is recomputed and replaced.
/// </summary>
public sealed class FeatureCache(string root)
{
    public string Root { get; } = root;

    private static readonly JsonSerializerOptions Json = new() { WriteIndented = true };

    /// <summary>Transforms with random geometry would freeze one random draw into the cache.</summary>
    private static readonly HashSet<string> RandomTransforms = ["multiscale-crop", "random-resized-crop", "warp-flip"];

    /// <summary>
    /// The features of <paramref name="indices"/> of <paramref name="dataset"/>, from the cache when it is valid. The data
    /// are identified by name, ids, labels and the first item's transformed pixels; give <paramref name="dataTag"/>
    /// (e.g. the seed of an embedded dataset) when items could change without those.
    /// </summary>
    public FeatureCacheResult GetOrCompute(Backbone backbone, string backboneName, IMultiLabelDataset dataset, IReadOnlyList<int> indices,
        ImageTransform transform, int batchSize = 64, int shardSize = 4096, Device? device = null, int workers = 2, string dataTag = "")
    {
        if (indices.Count == 0) throw new ArgumentException("indices: nothing to encode");
        if (RandomTransforms.Contains(transform.Name))
            throw new ArgumentException(
                $"transform: '{transform.Name}' is random; cache the features of a deterministic transform (e.g. ImageTransform.Warp)");
        if (shardSize <= 0) throw new ArgumentException($"shardSize: expected a positive count, got {shardSize}");
        var want = new FeatureCacheManifest
        {
            Dataset = dataset.Name,
            DataFingerprint = DataFingerprint(dataset, indices, dataTag),
            Backbone = $"{backboneName}/{backbone.GetType().Name}/d{backbone.NumFeatures}/{backbone.Pooling}",
            WeightsFingerprint = WeightsFingerprint(backbone),
            Transform = $"{transform.Name}/{transform.Size}/decode{transform.DecodeHint}/imagenet-normalize",
            Count = indices.Count,
            FeatureDim = backbone.NumFeatures,
            LabelCount = dataset.LabelNames.Count,
        };
        var dir = Path.Combine(Root, EntryName(dataset.Name, want.DataFingerprint, want.Backbone, want.WeightsFingerprint));
        var manifestPath = Path.Combine(dir, "manifest.json");
        string? reason = null;
        if (File.Exists(manifestPath))
        {
            var have = JsonSerializer.Deserialize<FeatureCacheManifest>(File.ReadAllText(manifestPath), Json)
                ?? throw new InvalidDataException($"{manifestPath}: empty manifest");
            reason = have.DifferenceFrom(want);
            if (reason is null && have.Shards.All(s => File.Exists(Path.Combine(dir, s))))
                return new FeatureCacheResult(Read(dir, have), FeatureCacheStatus.Hit, dir, null);
            reason ??= "a shard is missing";
            File.Delete(manifestPath);
        }
        Directory.CreateDirectory(dir);
        foreach (var old in Directory.GetFiles(dir, "shard-*.safetensors")) File.Delete(old);
        var set = Compute(backbone, dataset, indices, transform, batchSize, device ?? Device.CPU, workers);
        var shards = WriteShards(dir, set, shardSize);
        Lah.Common.AtomicFile.WriteAllText(manifestPath, JsonSerializer.Serialize(want with { Shards = shards }, Json));
        return new FeatureCacheResult(set, reason is null ? FeatureCacheStatus.Computed : FeatureCacheStatus.Invalidated, dir, reason);
    }

    private static FeatureSet Compute(Backbone backbone, IMultiLabelDataset dataset, IReadOnlyList<int> indices, ImageTransform transform,
        int batchSize, Device device, int workers)
    {
        var (features, labels) = BatchInference.Run(backbone, backbone.ForwardPooled, backbone.NumFeatures, dataset, indices,
            transform, batchSize, device, workers);
        return new FeatureSet(features, labels, indices.Count, backbone.NumFeatures, dataset.LabelNames.Count);
    }

    private static List<string> WriteShards(string dir, FeatureSet set, int shardSize)
    {
        var names = new List<string>();
        for (int start = 0, i = 0; start < set.Count; start += shardSize, i++)
        {
            int n = Math.Min(shardSize, set.Count - start);
            var name = $"shard-{i:D5}.safetensors";
            SafeTensorsWriter.Write(Path.Combine(dir, name),
            [
                new SafeTensorEntry("features", SafeDType.F32, [n, set.FeatureDim],
                    MemoryMarshal.AsBytes(set.Features.AsSpan(start * set.FeatureDim, n * set.FeatureDim)).ToArray()),
                new SafeTensorEntry("labels", SafeDType.F32, [n, set.LabelCount],
                    MemoryMarshal.AsBytes(set.Labels.AsSpan(start * set.LabelCount, n * set.LabelCount)).ToArray()),
            ]);
            names.Add(name);
        }
        return names;
    }

    private static FeatureSet Read(string dir, FeatureCacheManifest m)
    {
        var features = new float[(long)m.Count * m.FeatureDim];
        var labels = new float[(long)m.Count * m.LabelCount];
        int row = 0;
        foreach (var s in m.Shards)
        {
            var path = Path.Combine(dir, s);
            using var file = SafeTensorsFile.Open(path);
            var f = file.ReadFloat32("features");
            var l = file.ReadFloat32("labels");
            int n = f.Length / m.FeatureDim;
            if (f.Length != n * m.FeatureDim || l.Length != n * m.LabelCount || row + n > m.Count)
                throw new InvalidDataException($"{path}: shard shape does not match the manifest ({m.FeatureDim} features, {m.LabelCount} labels per row)");
            f.CopyTo(features, (long)row * m.FeatureDim);
            l.CopyTo(labels, (long)row * m.LabelCount);
            row += n;
        }
        if (row != m.Count) throw new InvalidDataException($"{dir}: shards hold {row} rows, the manifest says {m.Count}");
        return new FeatureSet(features, labels, m.Count, m.FeatureDim, m.LabelCount);
    }

    /// <summary>SHA-256 over every state-dict entry's name, dtype, shape and bytes (running statistics included).</summary>
    public static string WeightsFingerprint(Backbone backbone)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var (name, t) in backbone.StateDict())
        {
            hash.AppendData(Encoding.UTF8.GetBytes($"{name}|{t.DType}|{string.Join(',', t.Shape)}|"));
            hash.AppendData(TensorSafeTensors.ToBytes(t));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>SHA-256 over the tag, the dataset's name and size, the chosen items' ids and labels in order, and the first item's raw pixels.</summary>
    public static string DataFingerprint(IMultiLabelDataset dataset, IReadOnlyList<int> indices, string dataTag = "")
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{dataTag}|{dataset.Name}|{dataset.Count}|{string.Join(',', dataset.LabelNames)}|"));
        var first = dataset[indices[0]].Image.Load();
        hash.AppendData(Encoding.UTF8.GetBytes($"{first.Width}x{first.Height}|"));
        hash.AppendData(first.Pixels);
        foreach (var i in indices)
        {
            var item = dataset[i];
            hash.AppendData(Encoding.UTF8.GetBytes($"{i}:{item.Id}:{string.Concat(item.Labels.ToSigned().Select(v => (char)('1' + v)))};"));
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>
    /// The entry's folder: dataset name, data hash and a hash of backbone and weights, so features of two backbones
    /// (or of one backbone before and after pre-training) live side by side instead of evicting each other.
    /// </summary>
    public static string EntryName(string datasetName, string dataFingerprint, string backbone, string weightsFingerprint)
    {
        var b = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{backbone}|{weightsFingerprint}")));
        return $"{Sanitize(datasetName)}-{dataFingerprint[..16]}-{Sanitize(backbone.Split('/')[0])}-{b[..12]}";
    }

    private static string Sanitize(string name) =>
        new(name.Select(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : '_').ToArray());
}

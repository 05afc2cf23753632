using Lah.Torch.NN;

namespace Lah.Torch.Serialization;

/// <summary>A trained network read back: its tensors (the caller owns them, see <see cref="Dispose"/>) and the file's metadata.</summary>
public sealed class TrainedModel(Dictionary<string, Tensor> tensors, IReadOnlyDictionary<string, string> metadata) : IDisposable
{
    public Dictionary<string, Tensor> Tensors { get; } = tensors;
    public IReadOnlyDictionary<string, string> Metadata { get; } = metadata;

    /// <summary>The experiment record (YAML) saved with the weights, or null when the file has none.</summary>
    public string? Experiment => Metadata.TryGetValue(TrainedModelFile.ExperimentKey, out var e) ? e : null;

    public void Dispose()
    {
        foreach (var t in Tensors.Values) t.Dispose();
    }
}

/// <summary>
/// A trained model as one safetensors file: the state dict plus, in the header's <c>__metadata__</c>, the experiment
/// record that produced it (YAML under the key <c>experiment</c>), so the weights never travel without their recipe.
/// Any safetensors reader (Python's included) reads the tensors; the record is plain header text.
/// </summary>
public static class TrainedModelFile
{
    public const string ExperimentKey = "experiment";

    /// <summary>Saves <paramref name="module"/>'s state dict with <paramref name="experimentYaml"/> (and any
    /// <paramref name="extra"/> metadata, which may not use the key <c>experiment</c>).</summary>
    public static void Save(string path, Module module, string experimentYaml, IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(module);
        Save(path, module.StateDict(), experimentYaml, extra);
    }

    /// <summary>Saves named tensors (in order) with the experiment record.</summary>
    public static void Save(string path, IEnumerable<KeyValuePair<string, Tensor>> tensors, string experimentYaml,
        IReadOnlyDictionary<string, string>? extra = null)
    {
        ArgumentNullException.ThrowIfNull(experimentYaml);
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal);
        if (extra is not null)
            foreach (var (k, v) in extra)
            {
                if (k == ExperimentKey) throw new ArgumentException($"metadata key '{ExperimentKey}' is reserved for the experiment record", nameof(extra));
                metadata[k] = v;
            }
        metadata[ExperimentKey] = experimentYaml;
        TensorSafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>Reads every tensor and the metadata (<see cref="TrainedModel.Experiment"/> is null for a plain weights file).</summary>
    public static TrainedModel Load(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        var tensors = new Dictionary<string, Tensor>();
        try
        {
            foreach (var info in file.Tensors) tensors[info.Name] = TensorSafeTensors.Read(file, info.Name).DetachFromScopes();
        }
        catch
        {
            foreach (var t in tensors.Values) t.Dispose();
            throw;
        }
        return new TrainedModel(tensors, new Dictionary<string, string>(file.Metadata));
    }

    /// <summary>The experiment record alone (the header is read, no tensor is), or null when there is none.</summary>
    public static string? ReadExperiment(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return file.Metadata.TryGetValue(ExperimentKey, out var e) ? e : null;
    }
}

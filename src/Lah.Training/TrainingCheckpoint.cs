using System.Text.Json;
using System.Text.Json.Serialization;
using Lah.Torch;
using Lah.Torch.Optim;
using Lah.Torch.Serialization;

namespace Lah.Training;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// One safetensors file with everything a run needs to continue exactly: `model.*` (the trained module's state dict),
/// `optimizer.*` (groups and momentum buffers), `rng.cpu` (the trainer's CPU generator, which draws the dropout masks;
/// libtorch's global one before trainers owned a generator, the same stream for the same seed), `rng.cuda.N` (each
/// visible CUDA device's generator, when CUDA is available) and the <see cref="TrainerState"/>
/// as JSON in the metadata. Written with temp-file-and-rename, so a kill leaves the previous checkpoint intact.
/// </summary>
public static class TrainingCheckpoint
{
    public const string Format = "lah-training-checkpoint/1";
    private const string StateKey = "trainer_state";
    private const string CudaRngPrefix = "rng.cuda.";

    private static string CudaRngKey(int device) => CudaRngPrefix + device;

    private static readonly JsonSerializerOptions Json = new() { NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals };

    public static void Save(string path, Lah.Torch.NN.Module network, Optimizer optimizer, Generator generator, TrainerState state)
    {
        using var scope = Torch.NewScope();
        var tensors = new List<KeyValuePair<string, Tensor>>();
        foreach (var (name, t) in network.StateDict()) tensors.Add(new("model." + name, t));
        foreach (var (name, t) in optimizer.StateDict()) tensors.Add(new("optimizer." + name, t));
        tensors.Add(new("rng.cpu", generator.GetState()));
        // CUDA draws (dropout on the GPU) come from each device's own generator; only written where CUDA exists.
        for (int i = 0; i < Device.CudaDeviceCount; i++) tensors.Add(new(CudaRngKey(i), Torch.GetCudaRngState(i)));
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            [StateKey] = JsonSerializer.Serialize(state, Json),
        };
        TensorSafeTensors.Write(path, tensors, metadata);
    }

    /// <summary>The trainer state alone (no tensors touched).</summary>
    public static TrainerState ReadState(string path)
    {
        using var file = SafeTensorsFile.Open(path);
        return ParseState(file, path);
    }

    private static TrainerState ParseState(SafeTensorsFile file, string path)
    {
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
            throw new InvalidDataException($"{path}: not a training checkpoint (metadata 'format' is '{format}', expected '{Format}')");
        if (!file.Metadata.TryGetValue(StateKey, out var json))
            throw new InvalidDataException($"{path}: metadata '{StateKey}' is missing");
        return JsonSerializer.Deserialize<TrainerState>(json, Json)
            ?? throw new InvalidDataException($"{path}: metadata '{StateKey}' is empty");
    }

    /// <summary>Restores network, optimizer and the trainer's generator from <paramref name="path"/>; returns the trainer state.</summary>
    public static TrainerState Load(string path, Lah.Torch.NN.Module network, Optimizer optimizer, Generator generator)
    {
        using var scope = Torch.NewScope();
        using var file = SafeTensorsFile.Open(path);
        var state = ParseState(file, path);
        var model = new Dictionary<string, Tensor>();
        var optim = new Dictionary<string, Tensor>();
        Tensor? rng = null;
        var cudaRng = new Dictionary<int, Tensor>();
        foreach (var info in file.Tensors)
        {
            if (info.Name.StartsWith("model.", StringComparison.Ordinal)) model[info.Name["model.".Length..]] = TensorSafeTensors.Read(file, info.Name);
            else if (info.Name.StartsWith("optimizer.", StringComparison.Ordinal)) optim[info.Name["optimizer.".Length..]] = TensorSafeTensors.Read(file, info.Name);
            else if (info.Name == "rng.cpu") rng = TensorSafeTensors.Read(file, info.Name);
            else if (info.Name.StartsWith(CudaRngPrefix, StringComparison.Ordinal) && int.TryParse(info.Name.AsSpan(CudaRngPrefix.Length), out var device) && device >= 0)
                cudaRng[device] = TensorSafeTensors.Read(file, info.Name);
            else throw new InvalidDataException($"{path}: unexpected tensor '{info.Name}'");
        }
        try
        {
            network.LoadStateDict(model, strict: true);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{path}: the checkpoint's model does not fit this model: {e.Message}", e);
        }
        optimizer.LoadStateDict(optim, path);
        generator.SetState(rng ?? throw new InvalidDataException($"{path}: tensor 'rng.cpu' is missing"));
        // A checkpoint written on a CPU machine has no CUDA state (the generators keep their seeded state); one written
        // with more GPUs than are visible now restores those that exist.
        int visible = Device.CudaDeviceCount;
        foreach (var (gpu, saved) in cudaRng)
            if (gpu < visible) Torch.SetCudaRngState(saved, gpu);
        return state;
    }
}

using System.Text.RegularExpressions;
using Lah.Torch;
using Lah.Torch.NN;
using Lah.Torch.Serialization;

namespace Lah.Vision.Registry;

/// <summary>
/// Models by timm-style name: `arch` (random initialisation) or `arch.tag` (pretrained weights from a local
/// safetensors file with torchvision's names). Only this class loads weights and adapts classifiers.
/// </summary>
public sealed class ModelRegistry
{
    private readonly Dictionary<string, ModelArchitecture> _architectures;

    public ModelRegistry(IEnumerable<ModelArchitecture> architectures)
    {
        _architectures = [];
        foreach (var a in architectures)
            if (!_architectures.TryAdd(a.Name, a))
                throw new ArgumentException($"architecture '{a.Name}' is registered twice");
    }

    /// <summary>The built-in architectures (<see cref="BuiltinModels"/>).</summary>
    public static ModelRegistry Default { get; } = new(BuiltinModels.All());

    public IReadOnlyCollection<ModelArchitecture> Architectures => _architectures.Values;

    /// <summary>
    /// Names matching a wildcard filter (`*`, `?`), sorted: architectures, or with <paramref name="pretrained"/> every
    /// `arch.tag` that has weights.
    /// </summary>
    public IReadOnlyList<string> ListModels(string filter = "*", bool pretrained = false)
    {
        var re = new Regex("^" + Regex.Escape(filter).Replace("\\*", ".*").Replace("\\?", ".") + "$", RegexOptions.CultureInvariant);
        var names = pretrained
            ? _architectures.Values.SelectMany(a => a.Pretrained.Select(p => $"{a.Name}.{p.Tag}"))
            : _architectures.Keys;
        return names.Where(n => re.IsMatch(n)).OrderBy(n => n, StringComparer.Ordinal).ToList();
    }

    /// <summary>Splits `arch.tag` (the tag may be absent) and resolves both; throws naming the unknown part.</summary>
    public (ModelArchitecture Architecture, PretrainedConfig? Pretrained) Resolve(string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        int dot = name.IndexOf('.');
        var archName = dot < 0 ? name : name[..dot];
        var tag = dot < 0 ? null : name[(dot + 1)..];
        if (!_architectures.TryGetValue(archName, out var arch))
            throw new ArgumentException(
                $"model '{name}': unknown architecture '{archName}' (known: {string.Join(", ", ListModels())})", nameof(name));
        if (tag is null) return (arch, null);
        var cfg = arch.Pretrained.FirstOrDefault(p => p.Tag == tag)
            ?? throw new ArgumentException(
                $"model '{name}': '{archName}' has no pretrained tag '{tag}' (tags: {(arch.Pretrained.Count == 0 ? "none" : string.Join(", ", arch.Pretrained.Select(p => p.Tag)))})",
                nameof(name));
        return (arch, cfg);
    }

    public PretrainedConfig? GetPretrainedConfig(string name) => Resolve(name).Pretrained;

    /// <summary>
    /// Builds a model, its initial weights drawn from <paramref name="generator"/> alone (as PyTorch's `generator=`):
    /// the same generator state gives the same weights whatever else draws random numbers. With a tag (or
    /// <see cref="ModelOptions.Pretrained"/>, which takes the default tag) or an explicit
    /// <see cref="ModelOptions.WeightsFile"/>, loads the weights strictly; when the class count differs from the
    /// weights' (0 included), every key but the classifier's must match. The generator may be omitted only when weights
    /// are loaded: the build then draws from a generator seeded 0, so a classifier re-initialised for another class
    /// count still starts the same on every call. libtorch's process-global generator is never used.
    /// </summary>
    public Backbone Create(string name, ModelOptions? options = null, Generator? generator = null)
    {
        options ??= new ModelOptions();
        var (arch, cfg) = Resolve(name);
        bool load = cfg is not null || options.Pretrained || options.WeightsFile is not null;
        if (load && cfg is null && options.WeightsFile is null)
            cfg = arch.DefaultPretrained
                ?? throw new ArgumentException($"model '{name}': Pretrained asked for, but '{arch.Name}' has no pretrained weights");
        if (generator is null && !load)
            throw new ArgumentNullException(nameof(generator),
                $"model '{name}': random initial weights need a generator (Create(name, options, generator))");
        int classes = options.NumClasses ?? cfg?.NumClasses ?? arch.DefaultNumClasses;
        Backbone model;
        using (var fallback = generator is null ? new Generator(0) : null)
            model = arch.Build(classes, options.Pooling, options.Widths, generator ?? fallback!);
        if (!load) return model;
        try
        {
            var file = options.WeightsFile ?? FindWeights(arch.Name, cfg!, options.WeightsDir);
            LoadWeights(model, file, cfg?.Classifier ?? model.ClassifierName);
            return model;
        }
        catch
        {
            model.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Copies a torchvision-named weights file into <paramref name="model"/>: safetensors or a PyTorch <c>torch.save</c>
    /// state dict (<c>.pth</c>), told apart by the file's first bytes (F16/BF16 converted). Keys must match
    /// exactly, except the classifier's when the model's class count differs from the file's.
    /// </summary>
    public static void LoadWeights(Backbone model, string file, string classifier = "fc")
    {
        if (!File.Exists(file)) throw new FileNotFoundException($"weights file not found: {file}", file);
        if (WeightsFormats.Detect(file) != WeightsFormat.SafeTensors)
        {
            LoadPyTorchWeights(model, file, classifier);
            return;
        }
        using var st = SafeTensorsFile.Open(file);
        var prefix = classifier + ".";
        bool isClassifier(string k) => k.StartsWith(prefix, StringComparison.Ordinal);
        var own = model.StateDict();
        bool sameHead = st.Tensors.Where(t => isClassifier(t.Name)).All(t => own.TryGetValue(t.Name, out var o) && o.Shape.SequenceEqual(t.Shape))
            && own.Keys.Where(isClassifier).All(st.Contains);
        if (sameHead)
        {
            model.LoadSafeTensors(file, strict: true);
            return;
        }
        var dict = new Dictionary<string, Tensor>();
        try
        {
            foreach (var t in st.Tensors)
                if (!isClassifier(t.Name)) dict[t.Name] = TensorSafeTensors.Read(st, t.Name);
            LoadChecked(model, file, dict, strict: false, isClassifier);
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    // A torch.save state dict (.pth) is read whole, so the same rules apply to the dict in memory.
    private static void LoadPyTorchWeights(Backbone model, string file, string classifier)
    {
        var dict = TorchPickle.LoadStateDict(file);
        try
        {
            var prefix = classifier + ".";
            bool isClassifier(string k) => k.StartsWith(prefix, StringComparison.Ordinal);
            var own = model.StateDict();
            bool sameHead = dict.Where(kv => isClassifier(kv.Key)).All(kv => own.TryGetValue(kv.Key, out var o) && o.Shape.SequenceEqual(kv.Value.Shape))
                && own.Keys.Where(isClassifier).All(dict.ContainsKey);
            var given = sameHead ? dict : dict.Where(kv => !isClassifier(kv.Key)).ToDictionary(kv => kv.Key, kv => kv.Value);
            LoadChecked(model, file, given, strict: sameHead, isClassifier);
        }
        finally
        {
            foreach (var t in dict.Values) t.Dispose();
        }
    }

    /// <summary>Loads <paramref name="dict"/>; every key but the classifier's must match, errors name the file.</summary>
    private static void LoadChecked(Backbone model, string file, Dictionary<string, Tensor> dict, bool strict, Func<string, bool> isClassifier)
    {
        LoadStateDictResult result;
        try
        {
            result = model.LoadStateDict(dict, strict);
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"{file}: {e.Message}", e);
        }
        var badMissing = result.MissingKeys.Where(k => !isClassifier(k)).ToList();
        if (badMissing.Count > 0 || result.UnexpectedKeys.Count > 0)
            throw new InvalidDataException(
                $"{file}: cannot load into {model.GetType().Name}: missing keys: [{string.Join(", ", badMissing)}]; unexpected keys: [{string.Join(", ", result.UnexpectedKeys)}]");
    }

    private static string FindWeights(string arch, PretrainedConfig cfg, string? weightsDir)
    {
        var dir = weightsDir ?? Environment.GetEnvironmentVariable("LAH_WEIGHTS_DIR");
        var name = $"{arch}.{cfg.Tag}";
        var candidates = dir is { Length: > 0 }
            ? new[] { Path.Combine(dir, name, cfg.FileName), Path.Combine(dir, name + ".safetensors"), Path.Combine(dir, name + ".pth") }
            : [];
        foreach (var c in candidates)
            if (File.Exists(c)) return c;
        var where = candidates.Length == 0 ? "no weights folder set (ModelOptions.WeightsDir or LAH_WEIGHTS_DIR)" : "looked for " + string.Join(" and ", candidates);
        var from = cfg.HfHubId is { } hub ? $"; download {cfg.FileName} from https://huggingface.co/{hub}" : "";
        throw new FileNotFoundException($"pretrained weights for '{name}' not found: {where}{from}");
    }
}

using Lah.Hashing.Config;
using Lah.Hashing.Models;
using Lah.Tests;
using Lah.Torch;
using Lah.Torch.Serialization;

namespace Lah.Hashing.Tests;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>A <c>lah_*</c> golden file opened as a head built from its metadata with its <c>param.*</c> loaded, and its loss settings.</summary>
public sealed class GoldenCase : IDisposable
{
    public SafeTensorsFile File { get; }
    public LahConfig Config { get; }
    public HashLossConfig Loss { get; }
    public LahModel Model { get; }

    public GoldenCase(string fileName)
    {
        File = SafeTensorsFile.Open(TestPaths.Golden(fileName));
        Config = LahConfig.FromOfficialSettings(File.Metadata);
        Loss = HashLossConfig.FromOfficialSettings(File.Metadata);
        var nums = File.ReadInt64("input.cooc_nums").Select(x => (double)x).ToArray();
        var cooc = File.ReadInt64("input.cooc_adj").Select(x => (double)x).ToArray();
        Model = LahModel.FromCooccurrence(Config, File.ReadFloat32("input.wordvec"), nums, cooc);
        var parameters = Parameters();
        using var _ = Torch.NoGrad();
        foreach (var t in File.Tensors.Where(t => t.Name.StartsWith("param.", StringComparison.Ordinal)))
        {
            var name = t.Name["param.".Length..];
            if (!parameters.TryGetValue(name, out var p))
                throw new InvalidOperationException($"{fileName}: the model has no parameter '{name}'");
            if (!p.Shape.SequenceEqual(t.Shape))
                throw new InvalidOperationException(
                    $"{fileName}: '{name}' is [{string.Join(',', p.Shape)}] in the model, [{string.Join(',', t.Shape)}] in the file");
            using var src = Torch.FromArray(File.ReadFloat32(t.Name), t.Shape);
            p.Copy_(src);
        }
    }

    public Dictionary<string, Tensor> Parameters() => Model.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter);

    public Tensor Input(string name) => Torch.FromArray(File.ReadFloat32(name), File[name].Shape);

    public void Dispose()
    {
        Model.Dispose();
        File.Dispose();
    }
}

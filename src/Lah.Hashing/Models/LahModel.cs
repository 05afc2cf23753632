using Lah.Hashing.Config;
using Lah.Hashing.Graph;
using Lah.Hashing.Modules;
using Lah.Torch;
using Lah.Torch.NN;

namespace Lah.Hashing.Models;

// Inside Lah.*, a bare `Torch` would name the Lah.Torch namespace.
using Torch = Lah.Torch.Torch;

/// <summary>
/// The LAH head over pooled image features: label GCN (gc1 → LeakyReLU → gc2 on Â), MFB or dot-product fusion,
/// hash layer with tanh. Parameter and buffer names follow the official state dict (<c>gc1.weight</c>,
/// <c>Linear_imgdataproj.weight</c>, <c>hash_layer.bias</c>, <c>A</c>, …). The MFB projections exist under the
/// dot product too (as in the official code) but are then unused and never optimised. With
/// <see cref="MfbProjections.PerLabel"/> the shared projections are replaced by <c>mfb_U.*</c> and <c>mfb_V.*</c>.
/// </summary>
public sealed class LahModel : Module, IHashHead
{
    private readonly Tensor _labelInput;
    private readonly Tensor _adjacencyHat;
    private readonly Tensor _correlation;

    public LahConfig Config { get; }
    public GraphConvolution Gc1 { get; }
    public GraphConvolution Gc2 { get; }
    /// <summary>The shared MFB image projection (Linear_imgdataproj); null under <see cref="MfbProjections.PerLabel"/>.</summary>
    public Linear? ImageProjection { get; }
    /// <summary>The shared MFB label projection (Linear_classifierproj); null under <see cref="MfbProjections.PerLabel"/>.</summary>
    public Linear? LabelProjection { get; }
    /// <summary>The paper's per-label Ũ (mfb_U, R×J×D); null under <see cref="MfbProjections.Shared"/>.</summary>
    public PerLabelLinear? PerLabelImageProjection { get; }
    /// <summary>The paper's per-label Ṽ (mfb_V, R×J×C); null under <see cref="MfbProjections.Shared"/>.</summary>
    public PerLabelLinear? PerLabelLabelProjection { get; }
    public Linear HashLayer { get; }

    public int FeatureDim => Config.ImageDim;
    public int LabelCount => Config.LabelCount;
    public int HashBits => Config.HashBits;

    /// <summary>
    /// Builds the head. <paramref name="labelInput"/> is the R×word_dim word-vector matrix (row-major; ignored and
    /// replaced by the identity for <see cref="WordEmbedding.OneHot"/>); <paramref name="correlation"/> is A (R×R), e.g.
    /// from <see cref="LabelGraph.GenA(ReadOnlySpan{double}, ReadOnlySpan{double}, double, double, LabelGraphVariant)"/>.
    /// The initial weights are drawn from <paramref name="generator"/> (null: the global generator); MFB dropout draws
    /// from <see cref="Module.Generator"/> (set by <see cref="Module.UseGenerator"/>, as the trainers do).
    /// </summary>
    public LahModel(LahConfig config, float[]? labelInput, double[] correlation, Generator? generator = null)
    {
        config.Validate();
        if (config.Head.Embedding == WordEmbedding.None)
            throw new ArgumentException("LahHeadOptions.Embedding: None has no label branch; build a DchModel instead");
        Config = config;
        int r = config.LabelCount;
        if (correlation.Length != r * r)
            throw new ArgumentException(
                $"correlation: expected an R×R matrix for LahConfig.LabelCount = {r} ({r * r} values), got {correlation.Length}");

        float[] inp;
        if (config.Head.Embedding == WordEmbedding.OneHot)
        {
            inp = new float[r * r];
            for (int i = 0; i < r; i++) inp[i * r + i] = 1;
        }
        else
        {
            inp = labelInput ?? throw new ArgumentException($"labelInput: {config.Head.Embedding} needs word vectors");
            if (inp.Length != r * config.WordDim)
                throw new ArgumentException(
                    $"labelInput: expected R×word_dim = {r}×{config.WordDim} values (LahConfig.LabelCount × WordDim), got {inp.Length}");
        }
        _labelInput = Torch.FromArray(inp, r, config.GcnInputDim);
        // Only A is in the official state dict; the GCN input and Â are derived, so they stay out of ours.
        RegisterBuffer("inp", _labelInput, persistent: false);
        _correlation = RegisterBuffer("A", Torch.FromArray(correlation.Select(x => (float)x).ToArray(), r, r))!;
        _adjacencyHat = AdjacencyHat(correlation);
        RegisterBuffer("A_hat", _adjacencyHat, persistent: false);

        Gc1 = new GraphConvolution(config.GcnInputDim, config.Head.GcnHidden, generator);
        Gc2 = new GraphConvolution(config.Head.GcnHidden, config.GcnOutputDim, generator);
        RegisterModule("gc1", Gc1);
        RegisterModule("gc2", Gc2);
        // Per-label projections only where MFB uses them; the shared ones exist under the dot product too (official).
        if (config.Head.MfbProjections == MfbProjections.PerLabel && config.Head.Fusion == FusionKind.Mfb)
        {
            PerLabelImageProjection = RegisterModule("mfb_U", new PerLabelLinear(r, config.ImageDim, config.Head.JointDim, generator));
            PerLabelLabelProjection = RegisterModule("mfb_V", new PerLabelLinear(r, config.Head.ClassifierDim, config.Head.JointDim, generator));
        }
        else
        {
            ImageProjection = RegisterModule("Linear_imgdataproj", new Linear(config.ImageDim, config.Head.JointDim, generator: generator));
            LabelProjection = RegisterModule("Linear_classifierproj", new Linear(config.Head.ClassifierDim, config.Head.JointDim, generator: generator));
        }
        HashLayer = new Linear(config.FusedDim, config.HashBits, generator: generator);
        RegisterModule("hash_layer", HashLayer);
    }

    private Tensor AdjacencyHat(ReadOnlySpan<double> a)
    {
        var aHat = LabelGraph.GenAdj(a, Config.Head.Propagation);
        return Torch.FromArray(aHat.Select(x => (float)x).ToArray(), Config.LabelCount, Config.LabelCount);
    }

    /// <summary>
    /// Â is derived from A, which a state dict may replace (the official code recomputes Â every forward): rebuild it
    /// from the loaded A, on Â's device. A model on the meta device has no values to rebuild from.
    /// </summary>
    protected override void OnStateLoaded()
    {
        if (_correlation.Device.Type == DeviceType.Meta) return;
        using var scope = Torch.NewScope();
        using var noGrad = Torch.NoGrad();
        _adjacencyHat.Copy_(AdjacencyHat(_correlation.ToDoubleArray()));
    }

    /// <summary>Builds A from co-occurrence counts with the configuration's graph variant, τ and p.</summary>
    public static LahModel FromCooccurrence(LahConfig config, float[]? labelInput, ReadOnlySpan<double> nums,
        ReadOnlySpan<double> cooccurrence, Generator? generator = null)
    {
        if (nums.Length != config.LabelCount)
            throw new ArgumentException(
                $"nums: expected LahConfig.LabelCount = {config.LabelCount} occurrence counts, got {nums.Length}");
        return new LahModel(config, labelInput, LabelGraph.GenA(nums, cooccurrence, config.Head.Tau, config.Head.P, config.Head.Graph), generator);
    }

    /// <summary>Label embeddings E = Â·LeakyReLU(Â·(X·W1))·W2 (R×C).</summary>
    public Tensor LabelEmbeddings()
    {
        var h = Gc1.Forward(_labelInput, _adjacencyHat).LeakyRelu(Config.LeakyReluSlope);
        return Gc2.Forward(h, _adjacencyHat);
    }

    /// <summary>The fusion output z (B×F) for pooled features (B×D).</summary>
    public Tensor Fuse(Tensor features)
    {
        CheckFeatures(features);
        var e = LabelEmbeddings();
        if (Config.Head.Fusion == FusionKind.DotProduct) return Fusion.DotProduct(features, e);
        if (PerLabelImageProjection is not null && PerLabelLabelProjection is not null)
            return Fusion.MfbPerLabel(PerLabelImageProjection.ForwardShared(features), PerLabelLabelProjection.ForwardPerLabel(e),
                Config.Head.PoolingStride, Config.Head.Dropout, IsTraining, Generator);
        return Fusion.Mfb(ImageProjection!.Forward(features), LabelProjection!.Forward(e), Config.Head.PoolingStride,
            Config.Head.Dropout, IsTraining, Generator);
    }

    public HeadOutput ForwardHead(Tensor features)
    {
        var z = Fuse(features);
        var h = HashLayer.Forward(z);
        return new HeadOutput(z, IsTraining && !Config.TanhInTraining ? h : h.Tanh());
    }

    /// <summary>Relaxed codes u (B×K).</summary>
    public override Tensor Forward(Tensor features) => ForwardHead(features).Codes;

    /// <summary>
    /// ML-GCN's classifier head: the fusion output as B×R label scores (for MultiLabelSoftMarginLoss); needs one value
    /// per label (dot product, or MFB with stride = J).
    /// </summary>
    public Tensor ClassifierScores(Tensor features)
    {
        if (Config.ValuesPerLabel != 1)
            throw new InvalidOperationException(
                $"ClassifierScores: needs one fused value per label, but JointDim / PoolingStride = {Config.ValuesPerLabel}");
        return Fuse(features);
    }

    public Tensor Encode(Tensor features)
    {
        bool was = IsTraining;
        Eval();
        try
        {
            using var _ = Torch.NoGrad();
            return HashCodes.Binarize(HashLayer.Forward(Fuse(features)));
        }
        finally { Train(was); }
    }

    public IReadOnlyList<ParameterGroup> OptimizedGroups()
    {
        var groups = new List<ParameterGroup> { new("gcn", [Gc1.Weight, Gc2.Weight]) };
        if (Config.ParameterTraining == ParameterTraining.Trained)
        {
            if (Config.Head.Fusion == FusionKind.Mfb)
                groups.Add(new("fusion", Config.Head.MfbProjections == MfbProjections.PerLabel
                    ? [.. PerLabelImageProjection!.Parameters(), .. PerLabelLabelProjection!.Parameters()]
                    : [.. ImageProjection!.Parameters(), .. LabelProjection!.Parameters()]));
            groups.Add(new("hash", [.. HashLayer.Parameters()]));
        }
        return groups;
    }

    private void CheckFeatures(Tensor features)
    {
        if (features.Dim != 2 || features.Shape[1] != Config.ImageDim)
            throw new ArgumentException(
                $"features: expected B×{Config.ImageDim} (LahConfig.ImageDim), got [{string.Join(',', features.Shape)}]");
    }
}

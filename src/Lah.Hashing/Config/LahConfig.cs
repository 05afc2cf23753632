namespace Lah.Hashing.Config;

/// <summary>
/// Everything that decides a LAH head (and its ablations): the experiment's <see cref="Head"/> settings plus what
/// comes from the data and the run. Defaults are the official demos' settings (48 bits, 300-d word vectors, tanh in
/// training) except that every parameter is trained (<see cref="ParameterTraining.Trained"/>). The loss is configured
/// apart (<see cref="HashLossConfig"/>): the head does not depend on it.
/// </summary>
public sealed record LahConfig
{
    public LahHeadOptions Head { get; init; } = new();
    /// <summary>R, the number of labels; must match the data's label columns.</summary>
    public int LabelCount { get; init; } = 20;
    public int HashBits { get; init; } = 48;
    /// <summary>D, the pooled image feature size (2048 for ResNet-101).</summary>
    public int ImageDim { get; init; } = 2048;
    /// <summary>Word vector size of the embedding file (300); <see cref="WordEmbedding.OneHot"/> uses R instead.</summary>
    public int WordDim { get; init; } = 300;
    public double LeakyReluSlope { get; init; } = 0.2;
    /// <summary>tanh on the hash layer while training (the code since 2021-07); false gives the paper-era raw output.</summary>
    public bool TanhInTraining { get; init; } = true;
    public ParameterTraining ParameterTraining { get; init; } = ParameterTraining.Trained;

    /// <summary>The GCN input size: R for one-hot labels, else the word vectors' size.</summary>
    public int GcnInputDim => Head.Embedding == WordEmbedding.OneHot ? LabelCount : WordDim;

    /// <summary>The GCN output size: the image size for the dot product (f·Eᵀ needs it), else C.</summary>
    public int GcnOutputDim => Head.Fusion == FusionKind.DotProduct ? ImageDim : Head.ClassifierDim;

    /// <summary>Values each label keeps after MFB sum-pooling (out_in_tmp).</summary>
    public int ValuesPerLabel => Head.Fusion == FusionKind.Mfb ? Head.JointDim / Head.PoolingStride : 1;

    /// <summary>The fusion output size, the hash layer's input: R · J / stride (MFB) or R (dot product), D without labels.</summary>
    public int FusedDim => Head.Embedding == WordEmbedding.None ? ImageDim : LabelCount * ValuesPerLabel;

    /// <summary>Throws naming the field when the configuration cannot build a model (the head's settings included).</summary>
    public void Validate()
    {
        static void Positive(string name, int v)
        {
            if (v <= 0) throw new ArgumentException($"LahConfig.{name}: expected a positive size, got {v}");
        }
        if (Head is null) throw new ArgumentException("LahConfig.Head: expected the head's settings, got null");
        Positive(nameof(LabelCount), LabelCount);
        Positive(nameof(HashBits), HashBits);
        Positive(nameof(ImageDim), ImageDim);
        Positive(nameof(WordDim), WordDim);
        Head.Validate();
    }

    /// <summary>
    /// The head configuration from the official code's option names as the goldens' metadata spells them (R, K,
    /// threshold_p, threshold_tau, use_mfb, image_dim, classifier_dim, gcn_hidden, word_dim, linear_intermediate,
    /// pooling_stride, dropout, leaky_relu_slope); the loss's keys are read by <see cref="HashLossConfig.FromOfficialSettings"/>.
    /// Missing keys keep their defaults; the official graph is used. Throws naming the key on a value it cannot read.
    /// </summary>
    public static LahConfig FromOfficialSettings(IReadOnlyDictionary<string, string> settings)
    {
        var c = new LahConfig();
        var h = c.Head;
        return c with
        {
            LabelCount = OfficialSettings.Int(settings, "R", c.LabelCount),
            HashBits = OfficialSettings.Int(settings, "K", c.HashBits),
            ImageDim = OfficialSettings.Int(settings, "image_dim", c.ImageDim),
            WordDim = OfficialSettings.Int(settings, "word_dim", c.WordDim),
            LeakyReluSlope = OfficialSettings.Num(settings, "leaky_relu_slope", c.LeakyReluSlope),
            Head = h with
            {
                Fusion = OfficialSettings.Bool(settings, "use_mfb", true) ? FusionKind.Mfb : FusionKind.DotProduct,
                P = OfficialSettings.Num(settings, "threshold_p", h.P),
                Tau = OfficialSettings.Num(settings, "threshold_tau", h.Tau),
                ClassifierDim = OfficialSettings.Int(settings, "classifier_dim", h.ClassifierDim),
                GcnHidden = OfficialSettings.Int(settings, "gcn_hidden", h.GcnHidden),
                JointDim = OfficialSettings.Int(settings, "linear_intermediate", h.JointDim),
                PoolingStride = OfficialSettings.Int(settings, "pooling_stride", h.PoolingStride),
                Dropout = OfficialSettings.Num(settings, "dropout", h.Dropout),
            },
        };
    }
}

using Lah.Hashing.Graph;

namespace Lah.Hashing.Config;

/// <summary>
/// The spellings experiment records use for each ablation choice (kebab-case), parsed with errors that name the field
/// and list what is accepted: word-embedding glove | googlenews | fasttext | one-hot | none; fusion mfb | dp;
/// graph official | paper; adjacency transposed | symmetric | paper; similarity iou | original; distance normed | euclidean;
/// quantization squared | cauchy; combination official | paper; pair-weighting official | paper; reduction mean | sum;
/// mfb-projections shared | per-label; parameters trained | official-frozen.
/// </summary>
public static class ConfigNames
{
    private static readonly Dictionary<string, WordEmbedding> Embeddings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["glove"] = WordEmbedding.Glove,
        ["googlenews"] = WordEmbedding.GoogleNews,
        ["fasttext"] = WordEmbedding.FastText,
        ["one-hot"] = WordEmbedding.OneHot,
        ["none"] = WordEmbedding.None,
    };

    private static readonly Dictionary<string, FusionKind> Fusions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mfb"] = FusionKind.Mfb,
        ["dp"] = FusionKind.DotProduct,
    };

    private static readonly Dictionary<string, LabelGraphVariant> Graphs = new(StringComparer.OrdinalIgnoreCase)
    {
        ["official"] = LabelGraphVariant.Official,
        ["paper"] = LabelGraphVariant.Paper,
    };

    private static readonly Dictionary<string, AdjacencyNormalization> Adjacencies = new(StringComparer.OrdinalIgnoreCase)
    {
        ["transposed"] = AdjacencyNormalization.Transposed,
        ["symmetric"] = AdjacencyNormalization.Symmetric,
        ["paper"] = AdjacencyNormalization.Paper,
    };

    private static readonly Dictionary<string, SimilarityKind> Similarities = new(StringComparer.OrdinalIgnoreCase)
    {
        ["iou"] = SimilarityKind.Iou,
        ["original"] = SimilarityKind.Original,
    };

    private static readonly Dictionary<string, DistanceKind> Distances = new(StringComparer.OrdinalIgnoreCase)
    {
        ["normed"] = DistanceKind.NormalizedCosine,
        ["euclidean"] = DistanceKind.Euclidean,
    };

    private static readonly Dictionary<string, QuantizationKind> Quantizations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["squared"] = QuantizationKind.Squared,
        ["cauchy"] = QuantizationKind.Cauchy,
    };

    private static readonly Dictionary<string, LossCombination> Combinations = new(StringComparer.OrdinalIgnoreCase)
    {
        ["official"] = LossCombination.Official,
        ["paper"] = LossCombination.Paper,
    };

    private static readonly Dictionary<string, PairWeighting> PairWeightings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["official"] = PairWeighting.Official,
        ["paper"] = PairWeighting.Paper,
    };

    private static readonly Dictionary<string, LossReduction> Reductions = new(StringComparer.OrdinalIgnoreCase)
    {
        ["mean"] = LossReduction.Mean,
        ["sum"] = LossReduction.Sum,
    };

    private static readonly Dictionary<string, MfbProjections> Projections = new(StringComparer.OrdinalIgnoreCase)
    {
        ["shared"] = MfbProjections.Shared,
        ["per-label"] = MfbProjections.PerLabel,
    };

    private static readonly Dictionary<string, ParameterTraining> Trainings = new(StringComparer.OrdinalIgnoreCase)
    {
        ["trained"] = ParameterTraining.Trained,
        ["official-frozen"] = ParameterTraining.OfficialFrozen,
    };

    public static WordEmbedding ParseWordEmbedding(string s) => Parse(Embeddings, "word-embedding", s);
    public static FusionKind ParseFusion(string s) => Parse(Fusions, "fusion", s);
    public static LabelGraphVariant ParseGraph(string s) => Parse(Graphs, "graph", s);
    public static AdjacencyNormalization ParseAdjacency(string s) => Parse(Adjacencies, "adjacency", s);
    public static SimilarityKind ParseSimilarity(string s) => Parse(Similarities, "similarity", s);
    public static DistanceKind ParseDistance(string s) => Parse(Distances, "distance", s);
    public static QuantizationKind ParseQuantization(string s) => Parse(Quantizations, "quantization", s);
    public static LossCombination ParseCombination(string s) => Parse(Combinations, "combination", s);
    public static PairWeighting ParsePairWeighting(string s) => Parse(PairWeightings, "pair-weighting", s);
    public static LossReduction ParseReduction(string s) => Parse(Reductions, "reduction", s);
    public static MfbProjections ParseMfbProjections(string s) => Parse(Projections, "mfb-projections", s);
    public static ParameterTraining ParseParameterTraining(string s) => Parse(Trainings, "parameters", s);

    private static T Parse<T>(Dictionary<string, T> names, string field, string value) =>
        names.TryGetValue(value.Trim(), out var v) ? v
            : throw new FormatException($"{field}: expected one of {string.Join(", ", names.Keys)}, got '{value}'");
}

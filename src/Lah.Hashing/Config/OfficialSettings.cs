using System.Globalization;

namespace Lah.Hashing.Config;

/// <summary>Reads the official code's option values as the goldens' metadata spells them; errors name the key.</summary>
internal static class OfficialSettings
{
    public static int Int(IReadOnlyDictionary<string, string> settings, string key, int fallback) =>
        settings.TryGetValue(key, out var s)
            ? int.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v
                : throw new FormatException($"setting '{key}': expected an integer, got '{s}'")
            : fallback;

    public static double Num(IReadOnlyDictionary<string, string> settings, string key, double fallback) =>
        settings.TryGetValue(key, out var s)
            ? double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                : throw new FormatException($"setting '{key}': expected a number, got '{s}'")
            : fallback;

    public static bool Bool(IReadOnlyDictionary<string, string> settings, string key, bool fallback) =>
        settings.TryGetValue(key, out var s)
            ? s.ToLowerInvariant() switch
            {
                "true" or "1" => true,
                "false" or "0" => false,
                _ => throw new FormatException($"setting '{key}': expected True or False, got '{s}'"),
            }
            : fallback;
}

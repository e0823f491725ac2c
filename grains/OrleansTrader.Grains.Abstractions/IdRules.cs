namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// Account, strategy, key and webhook ids: 1 to 64 of A-Z a-z 0-9 - _ (no '/', which separates strategy keys). The
/// gateway refuses any other id, so an id the silo is configured with (Demo:AccountId) must pass it too, or no API call
/// could address what the silo creates under it.
/// </summary>
public static class IdRules
{
    public const int MaxLength = 64;

    /// <summary>The rule in words, for messages: "Must be {Description}."</summary>
    public const string Description = "1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'";

    public static bool IsValid(string? value) =>
        value is { Length: > 0 and <= MaxLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');
}

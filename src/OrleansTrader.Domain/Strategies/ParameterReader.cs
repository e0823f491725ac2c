using System.Globalization;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Reads catalog parameters from strings (invariant culture, keys case-insensitive), collecting every error rather
/// than stopping at the first, and reporting keys nobody asked for (a misspelt key must not pass silently). Values are
/// text people read back (a strategy's status, a registered kind's reasons): one with a control character or a
/// bidirectional override (<see cref="FreeText"/>) is refused, and the white space around one is trimmed.
/// </summary>
internal sealed class ParameterReader
{
    private readonly Dictionary<string, string> _values;
    private readonly HashSet<string> _read = new(StringComparer.OrdinalIgnoreCase);

    public ParameterReader(IReadOnlyDictionary<string, string> values)
    {
        _values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in values)
        {
            // Checked before the trim, which would take a trailing line break or tab away unseen.
            if (value is not null && value.Any(FreeText.IsRefused))
            {
                Errors.Add(new StrategyParameterError(key, "must not contain control or bidirectional formatting characters"));
            }

            if (!_values.TryAdd(key, value?.Trim()!))
            {
                Errors.Add(new StrategyParameterError(key, "is given more than once (keys are case-insensitive)"));
            }
        }
    }

    public List<StrategyParameterError> Errors { get; } = [];

    /// <summary>The parameters by case-insensitive name, trimmed; of a name given twice, the first.</summary>
    public IReadOnlyDictionary<string, string> Values => _values;

    public string RequiredString(string name)
    {
        if (Raw(name) is { } raw && !string.IsNullOrWhiteSpace(raw))
        {
            return raw.Trim();
        }

        Errors.Add(new StrategyParameterError(name, "is required"));
        return string.Empty;
    }

    public decimal RequiredDecimal(string name)
    {
        if (Raw(name) is not { } raw)
        {
            Errors.Add(new StrategyParameterError(name, "is required"));
            return 0m;
        }

        return ParseDecimal(name, raw, 0m);
    }

    public decimal Decimal(string name, decimal fallback) =>
        Raw(name) is { } raw ? ParseDecimal(name, raw, fallback) : fallback;

    /// <summary>A decimal that has no default: null when the parameter is not given.</summary>
    public decimal? OptionalDecimal(string name) =>
        Raw(name) is { } raw ? ParseDecimal(name, raw, 0m) : null;

    public int Int(string name, int fallback)
    {
        if (Raw(name) is not { } raw)
        {
            return fallback;
        }

        if (int.TryParse(raw, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            return value;
        }

        Errors.Add(new StrategyParameterError(name, $"must be an integer (got '{raw}')"));
        return fallback;
    }

    public bool Bool(string name, bool fallback)
    {
        if (Raw(name) is not { } raw)
        {
            return fallback;
        }

        if (bool.TryParse(raw, out var value))
        {
            return value;
        }

        Errors.Add(new StrategyParameterError(name, $"must be true or false (got '{raw}')"));
        return fallback;
    }

    /// <summary>Adds an error for every key that no reader call asked for.</summary>
    public void RejectUnknown(IEnumerable<string> known)
    {
        foreach (var key in _values.Keys.Where(k => !_read.Contains(k)).Order(StringComparer.Ordinal))
        {
            Errors.Add(new StrategyParameterError(key, $"is not a parameter of this strategy (known: {string.Join(", ", known)})"));
        }
    }

    private string? Raw(string name)
    {
        _read.Add(name);
        return _values.TryGetValue(name, out var value) ? value : null;
    }

    /// <summary>
    /// Digits with an optional sign and '.', read only when the decimal holds them exactly. No group separators: read
    /// anywhere, as NumberStyles.Number reads them, "1,5" (one and a half, as many write it) was 15. And no rounding: a
    /// decimal rounds digits past its 28-29 significant ones, so "10.00000000000000000000000000001" was 10.
    /// </summary>
    private decimal ParseDecimal(string name, string raw, decimal fallback)
    {
        const NumberStyles plain = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
        if (decimal.TryParse(raw, plain, CultureInfo.InvariantCulture, out var value)
            && Significant(raw.Trim()) == Significant(value.ToString(CultureInfo.InvariantCulture)))
        {
            return value;
        }

        Errors.Add(new StrategyParameterError(name,
            $"must be a decimal number, digits with an optional '.' and no more significant digits than a decimal holds (got '{raw}')"));
        return fallback;
    }

    /// <summary>"-007.50" is "7.5" and "-.5" is "0.5": the digits without sign and without zeros that do not count.</summary>
    private static string Significant(string number)
    {
        var digits = number.TrimStart('+', '-');
        if (digits.Contains('.', StringComparison.Ordinal))
        {
            digits = digits.TrimEnd('0').TrimEnd('.');
        }

        digits = digits.TrimStart('0');
        return digits.Length == 0 ? "0" : digits[0] == '.' ? "0" + digits : digits;
    }
}

using System.Globalization;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Creates built-in strategies by kind name from string parameters, e.g. kind "sma-crossover" with
/// { "symbol": "SPY", "quantity": "100", "fastPeriod": "10", "slowPeriod": "30", "allowShort": "false" }.
/// Every invalid, missing or unknown parameter is reported by name in one <see cref="StrategyParameterException"/>.
/// </summary>
public static class StrategyCatalog
{
    private static readonly string[] SmaKeys = ["symbol", "quantity", "fastPeriod", "slowPeriod", "allowShort", "trailingStopPercent"];
    private static readonly string[] RsiKeys = ["symbol", "quantity", "period", "oversold", "overbought", "exitAtMid", "trailingStopPercent"];
    private static readonly string[] BollingerKeys = ["symbol", "quantity", "period", "k", "trailingStopPercent"];

    public static IReadOnlyList<string> Kinds => StrategyKinds.All;

    /// <summary>The parameter names a kind accepts.</summary>
    public static IReadOnlyList<string> ParameterNames(string kind) => kind switch
    {
        StrategyKinds.SmaCrossover => SmaKeys,
        StrategyKinds.RsiMeanReversion => RsiKeys,
        StrategyKinds.BollingerBreakout => BollingerKeys,
        _ => throw UnknownKind(kind),
    };

    public static IStrategy Create(string kind, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(parameters);
        var reader = new ParameterReader(parameters);
        var keys = ParameterNames(kind);
        StrategyParameters parsed = kind switch
        {
            StrategyKinds.SmaCrossover => new SmaCrossoverParameters
            {
                Symbol = reader.RequiredString("symbol"),
                Quantity = reader.RequiredDecimal("quantity"),
                TrailingStopPercent = reader.OptionalDecimal("trailingStopPercent"),
                FastPeriod = reader.Int("fastPeriod", 10),
                SlowPeriod = reader.Int("slowPeriod", 30),
                AllowShort = reader.Bool("allowShort", false),
            },
            StrategyKinds.RsiMeanReversion => new RsiMeanReversionParameters
            {
                Symbol = reader.RequiredString("symbol"),
                Quantity = reader.RequiredDecimal("quantity"),
                TrailingStopPercent = reader.OptionalDecimal("trailingStopPercent"),
                Period = reader.Int("period", 14),
                Oversold = reader.Decimal("oversold", 30m),
                Overbought = reader.Decimal("overbought", 70m),
                ExitAtMid = reader.Bool("exitAtMid", false),
            },
            _ => new BollingerBreakoutParameters
            {
                Symbol = reader.RequiredString("symbol"),
                Quantity = reader.RequiredDecimal("quantity"),
                TrailingStopPercent = reader.OptionalDecimal("trailingStopPercent"),
                Period = reader.Int("period", 20),
                K = reader.Decimal("k", 2m),
            },
        };
        reader.RejectUnknown(keys);
        if (parsed is SmaCrossoverParameters sma && reader.Errors.Exists(e => e.Parameter == "fastPeriod"))
        {
            // A fast period that did not parse holds the default, which the request never gave: the slow period is not
            // compared with it (0 is refused as fastPeriod's own, already reported, problem).
            parsed = sma with { FastPeriod = 0 };
        }

        // Range checks only make sense on values that parsed; report parse errors and range errors together.
        var errors = reader.Errors.Concat(parsed.Validate().Where(e => !reader.Errors.Exists(r => r.Parameter == e.Parameter))).ToArray();
        if (errors.Length > 0)
        {
            throw new StrategyParameterException(kind, errors);
        }

        return Create(parsed);
    }

    /// <summary>Numeric parameters given as decimals (periods must be whole numbers), plus the symbol.</summary>
    public static IStrategy Create(string kind, string symbol, IReadOnlyDictionary<string, decimal> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var strings = parameters.ToDictionary(p => p.Key, p => p.Value.ToString(CultureInfo.InvariantCulture), StringComparer.OrdinalIgnoreCase);
        strings["symbol"] = symbol;
        foreach (var flag in new[] { "allowShort", "exitAtMid" })
        {
            if (strings.TryGetValue(flag, out var value))
            {
                strings[flag] = value switch
                {
                    "0" => "false",
                    "1" => "true",
                    _ => value,
                };
            }
        }

        return Create(kind, strings);
    }

    /// <summary>Creates the strategy that matches a typed parameter record.</summary>
    public static IStrategy Create(StrategyParameters parameters) => parameters switch
    {
        SmaCrossoverParameters sma => new SmaCrossoverStrategy(sma),
        RsiMeanReversionParameters rsi => new RsiMeanReversionStrategy(rsi),
        BollingerBreakoutParameters bollinger => new BollingerBreakoutStrategy(bollinger),
        null => throw new ArgumentNullException(nameof(parameters)),
        _ => throw new ArgumentException($"No strategy takes {parameters.GetType().Name}.", nameof(parameters)),
    };

    /// <summary>
    /// The quantity a built-in kind orders on each signal, or null for a kind without one (a custom kind's parameters mean
    /// what its own code makes of them). Read from parameters that <see cref="Create(string, IReadOnlyDictionary{string, string})"/> accepts.
    /// </summary>
    public static decimal? OrderQuantity(string kind, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        // The reader takes a name in any case, as the kinds do ("Quantity" is the quantity).
        return StrategyKinds.All.Contains(kind) ? new ParameterReader(parameters).OptionalDecimal("quantity") : null;
    }

    private static ArgumentException UnknownKind(string kind) =>
        new($"Unknown strategy kind '{kind}'. Known kinds: {string.Join(", ", StrategyKinds.All)}.", nameof(kind));
}

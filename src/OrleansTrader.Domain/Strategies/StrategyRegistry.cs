using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using System.Text.RegularExpressions;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// Every strategy kind a silo can run: the built-in ones of <see cref="StrategyCatalog"/> and the
/// <see cref="StrategyDefinition"/>s registered with it. Definitions are checked when the registry is built, so a silo
/// with a bad one does not start.
/// </summary>
public sealed partial class StrategyRegistry
{
    // A custom state is stored as JSON of its own type; reflection reads types the silo's generated contexts do not know.
    private static readonly JsonSerializerOptions StateJson = new(JsonSerializerDefaults.Web) { TypeInfoResolver = new DefaultJsonTypeInfoResolver() };

    private readonly Dictionary<string, StrategyDefinition> _custom = new(StringComparer.Ordinal);

    public StrategyRegistry(IEnumerable<StrategyDefinition> definitions)
    {
        ArgumentNullException.ThrowIfNull(definitions);
        foreach (var definition in definitions)
        {
            CheckDefinition(definition);
            if (!_custom.TryAdd(definition.Kind, definition))
            {
                throw new ArgumentException($"Strategy kind '{definition.Kind}' is registered twice.", nameof(definitions));
            }
        }

        Kinds = [.. StrategyKinds.All, .. _custom.Keys.Order(StringComparer.Ordinal)];
    }

    /// <summary>The built-in kinds, then the registered ones by name.</summary>
    public IReadOnlyList<string> Kinds { get; }

    public bool IsKnown(string kind) => StrategyKinds.All.Contains(kind) || _custom.ContainsKey(kind);

    /// <summary>True for a registered kind, whose state this registry stores (<see cref="SerializeState"/>).</summary>
    public bool IsCustom(string kind) => _custom.ContainsKey(kind);

    /// <summary>The parameter names a kind takes (its symbols are given apart, never as a parameter).</summary>
    public IReadOnlyList<string> ParameterNames(string kind) => _custom.TryGetValue(kind, out var definition)
        ? definition.ParameterNames
        : [.. StrategyCatalog.ParameterNames(kind).Where(name => !string.Equals(name, "symbol", StringComparison.OrdinalIgnoreCase))];

    /// <summary>How many symbols a strategy of the kind may trade (the built-in ones: one).</summary>
    public int MaxSymbols(string kind) => _custom.TryGetValue(kind, out var definition) ? definition.MaxSymbols : 1;

    /// <summary>
    /// Builds a strategy. Throws <see cref="StrategyParameterException"/> naming every bad parameter (or symbol), and
    /// <see cref="ArgumentException"/> for an unknown kind.
    /// </summary>
    public IStrategy Create(string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(symbols);
        ArgumentNullException.ThrowIfNull(parameters);
        if (!IsKnown(kind))
        {
            throw new ArgumentException($"Unknown strategy kind '{kind}'. Known kinds: {string.Join(", ", Kinds)}.", nameof(kind));
        }

        var max = MaxSymbols(kind);
        if (symbols.Count < 1 || symbols.Count > max || symbols.Any(string.IsNullOrWhiteSpace)
            || symbols.Distinct(StringComparer.Ordinal).Count() != symbols.Count)
        {
            var expected = max == 1 ? "exactly one symbol" : $"one to {max} distinct symbols";
            throw new StrategyParameterException(kind,
                [new StrategyParameterError("symbols", $"must be {expected} (got {symbols.Count})"), .. ParameterErrors(kind, symbols, parameters)]);
        }

        return Build(kind, symbols, parameters);
    }

    /// <summary>
    /// The parameters' problems of a request whose symbols are refused, so the answer names every problem at once
    /// (docs/strategies.md) rather than the parameters' only after the symbols are fixed. The strategy is built on the
    /// usable symbols for it; a definition that fails on them (it counted on the symbols it was promised) has nothing to add.
    /// </summary>
    private IReadOnlyList<StrategyParameterError> ParameterErrors(string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters)
    {
        List<string> usable = [.. symbols.Where(s => !string.IsNullOrWhiteSpace(s)).Distinct(StringComparer.Ordinal).Take(MaxSymbols(kind))];
        try
        {
            Build(kind, usable, parameters);
            return [];
        }
        catch (StrategyParameterException e)
        {
            return e.Errors;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return [];
        }
    }

    private IStrategy Build(string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters)
    {
        if (!_custom.TryGetValue(kind, out var definition))
        {
            return CreateBuiltIn(kind, symbols[0], parameters);
        }

        // As given: the setup reads the names case-insensitively and refuses one given twice in two cases by name.
        var setup = new StrategySetup(symbols, parameters);
        var strategy = definition.Create(setup);
        foreach (var name in setup.Parameters.Keys.Where(k => !definition.ParameterNames.Contains(k, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal))
        {
            setup.Invalid(name, $"is not a parameter of this strategy (known: {string.Join(", ", definition.ParameterNames)})");
        }

        if (setup.Errors.Count > 0)
        {
            throw new StrategyParameterException(kind, setup.Errors);
        }

        return strategy ?? throw new InvalidOperationException($"The definition of strategy kind '{kind}' created no strategy.");
    }

    // The catalog takes the symbol as a parameter, but through the registry it comes from the symbols alone: a "symbol"
    // parameter naming another symbol would be overwritten by them, so it is refused like any unknown name (one naming the
    // strategy's own symbol changes nothing and is let be), and the names listed as known are the ones /api/strategy-kinds shows.
    private IStrategy CreateBuiltIn(string kind, string symbol, IReadOnlyDictionary<string, string> parameters)
    {
        var known = ParameterNames(kind);
        var unknown = parameters
            .Where(p => !known.Contains(p.Key, StringComparer.OrdinalIgnoreCase)
                && !(string.Equals(p.Key, "symbol", StringComparison.OrdinalIgnoreCase) && string.Equals(p.Value, symbol, StringComparison.OrdinalIgnoreCase)))
            .Select(p => p.Key)
            .Order(StringComparer.Ordinal)
            .Select(name => new StrategyParameterError(name, $"is not a parameter of this strategy (known: {string.Join(", ", known)})"))
            .ToList();
        // Keyed as given: a name sent twice in two cases ("quantity", "Quantity") is the catalog's to refuse by name; a
        // case-insensitive copy here threw .NET's "An item with the same key has already been added" instead.
        var taken = parameters.Where(p => known.Contains(p.Key, StringComparer.OrdinalIgnoreCase)).ToDictionary(StringComparer.Ordinal);
        taken["symbol"] = symbol;

        IStrategy? strategy = null;
        IReadOnlyList<StrategyParameterError> invalid = [];
        try
        {
            strategy = StrategyCatalog.Create(kind, taken);
        }
        catch (StrategyParameterException e)
        {
            invalid = e.Errors;
        }

        return invalid.Count > 0 || unknown.Count > 0 || strategy is null
            ? throw new StrategyParameterException(kind, [.. invalid, .. unknown])
            : strategy;
    }

    /// <summary>A registered kind's snapshot as JSON of its own type.</summary>
    public string SerializeState(string kind, StrategyState state)
    {
        ArgumentNullException.ThrowIfNull(state);
        var definition = Custom(kind);
        if (!definition.StateType.IsInstanceOfType(state))
        {
            throw new InvalidOperationException(
                $"Strategy kind '{kind}' returned a {state.GetType().Name} snapshot; its definition says {definition.StateType.Name}.");
        }

        return JsonSerializer.Serialize(state, definition.StateType, StateJson);
    }

    /// <summary>A registered kind's snapshot from <see cref="SerializeState"/>.</summary>
    public StrategyState DeserializeState(string kind, string json) =>
        JsonSerializer.Deserialize(json, Custom(kind).StateType, StateJson) as StrategyState
        ?? throw new InvalidOperationException($"The stored snapshot of strategy kind '{kind}' is empty.");

    private StrategyDefinition Custom(string kind) =>
        _custom.TryGetValue(kind, out var definition) ? definition : throw new ArgumentException($"'{kind}' is not a registered strategy kind.", nameof(kind));

    /// <summary>Throws an <see cref="ArgumentException"/> with the reason when the definition cannot be registered on its own.</summary>
    public static void CheckDefinition(StrategyDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var kind = definition.Kind;
        if (kind is null || !KindPattern().IsMatch(kind))
        {
            throw new ArgumentException($"Strategy kind '{kind}' must be 1 to 64 lowercase letters, digits and '-', starting with a letter or digit.");
        }

        if (StrategyKinds.All.Contains(kind))
        {
            throw new ArgumentException($"Strategy kind '{kind}' is built in; give yours another name.");
        }

        if (definition.StateType is not { IsAbstract: false } stateType || !typeof(StrategyState).IsAssignableFrom(stateType))
        {
            throw new ArgumentException($"The state type of strategy kind '{kind}' must be a concrete record derived from {nameof(StrategyState)}.");
        }

        if (definition.MaxSymbols < 1)
        {
            throw new ArgumentException($"Strategy kind '{kind}' must allow at least one symbol (MaxSymbols).");
        }

        if (definition.Create is null || definition.ParameterNames is null
            || definition.ParameterNames.Distinct(StringComparer.OrdinalIgnoreCase).Count() != definition.ParameterNames.Count)
        {
            throw new ArgumentException($"Strategy kind '{kind}' needs a Create function and distinct parameter names.");
        }
    }

    // \z, not $: $ also matches before a final newline, so "kind\n" was taken as a name.
    [GeneratedRegex(@"^[a-z0-9][a-z0-9-]{0,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex KindPattern();
}

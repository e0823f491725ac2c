namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// What a <see cref="StrategyDefinition.Create"/> gets: the strategy's symbols and its parameters as given (strings,
/// keys case-insensitive), with readers that parse them in the invariant culture and collect every error.
/// </summary>
public sealed class StrategySetup
{
    private readonly ParameterReader _reader;

    internal StrategySetup(IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters)
    {
        Symbols = symbols;
        _reader = new ParameterReader(parameters);
        Parameters = _reader.Values;
    }

    public IReadOnlyList<string> Symbols { get; }

    public IReadOnlyDictionary<string, string> Parameters { get; }

    internal List<StrategyParameterError> Errors => _reader.Errors;

    public string RequiredString(string name) => _reader.RequiredString(name);

    public decimal RequiredDecimal(string name) => _reader.RequiredDecimal(name);

    public decimal Decimal(string name, decimal fallback) => _reader.Decimal(name, fallback);

    public int Int(string name, int fallback) => _reader.Int(name, fallback);

    public bool Bool(string name, bool fallback) => _reader.Bool(name, fallback);

    /// <summary>Reports a value that parsed but breaks a rule; the strategy is then refused with every error.</summary>
    public void Invalid(string name, string message) => _reader.Errors.Add(new StrategyParameterError(name, message));
}

namespace OrleansTrader.Domain.Strategies;

/// <summary>Thrown when strategy parameters are invalid; <see cref="Errors"/> names every bad parameter.</summary>
public sealed class StrategyParameterException : ArgumentException
{
    public StrategyParameterException()
        : this("Invalid strategy parameters.")
    {
    }

    public StrategyParameterException(string message)
        : base(message)
    {
        Errors = [];
    }

    public StrategyParameterException(string message, Exception innerException)
        : base(message, innerException)
    {
        Errors = [];
    }

    public StrategyParameterException(string kind, IReadOnlyList<StrategyParameterError> errors)
        : base($"Invalid parameters for strategy '{kind}': {string.Join("; ", errors)}", errors.Count > 0 ? errors[0].Parameter : null)
    {
        Errors = errors;
    }

    public IReadOnlyList<StrategyParameterError> Errors { get; }
}

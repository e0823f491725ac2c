namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// A strategy kind of your own, registered with the silo beside the built-in ones (see <see cref="StrategyRegistry"/>):
/// how to build it from a strategy's symbols and parameters, which parameters it takes, and the type of its snapshot.
/// </summary>
public sealed record StrategyDefinition
{
    /// <summary>The name clients create it by: lowercase letters, digits and '-', and not a built-in kind.</summary>
    public required string Kind { get; init; }

    /// <summary>The parameter names it accepts (case-insensitive); any other name is refused when a strategy is created.</summary>
    public IReadOnlyList<string> ParameterNames { get; init; } = [];

    /// <summary>How many symbols one strategy of this kind may trade (at least one).</summary>
    public int MaxSymbols { get; init; } = 1;

    /// <summary>
    /// The record its <see cref="IStrategy.GetState"/> returns, derived from <see cref="StrategyState"/>. The silo stores
    /// it as JSON (System.Text.Json, web defaults) and hands it back to <see cref="IStrategy.Restore"/> after a restart.
    /// </summary>
    public required Type StateType { get; init; }

    /// <summary>
    /// Builds the strategy. Read parameters through the setup (<see cref="StrategySetup.RequiredDecimal"/> and the
    /// others): it collects every bad value, and the strategy is refused with all of them. Throw
    /// <see cref="StrategyParameterException"/> for a rule across parameters.
    /// </summary>
    public required Func<StrategySetup, IStrategy> Create { get; init; }
}

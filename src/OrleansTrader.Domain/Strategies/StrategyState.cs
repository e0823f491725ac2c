using System.Text.Json.Serialization;

namespace OrleansTrader.Domain.Strategies;

/// <summary>
/// A strategy's resumable state. A closed set of derived records with a "kind" discriminator, so a host can
/// persist it as JSON without type names from the payload deciding what gets instantiated.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "kind")]
[JsonDerivedType(typeof(SmaCrossoverState), StrategyKinds.SmaCrossover)]
[JsonDerivedType(typeof(RsiMeanReversionState), StrategyKinds.RsiMeanReversion)]
[JsonDerivedType(typeof(BollingerBreakoutState), StrategyKinds.BollingerBreakout)]
public abstract record StrategyState
{
    /// <summary>The client order id of the strategy's open protective stop (<see cref="ProtectiveStop"/>), if it has one.</summary>
    public string? ProtectiveStopId { get; init; }

    /// <summary>
    /// The reason of an exit waiting for that stop's cancel (<see cref="ProtectiveStop.PendingCloseReason"/>), if one is: sent
    /// once the cancel is confirmed, after a restart too.
    /// </summary>
    public string? ProtectiveStopCloseReason { get; init; }
}

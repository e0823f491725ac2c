namespace OrleansTrader.Grains.Strategies;

internal sealed class StrategyDirectoryState
{
    public SortedSet<string> StrategyIds { get; set; } = new(StringComparer.Ordinal);
}

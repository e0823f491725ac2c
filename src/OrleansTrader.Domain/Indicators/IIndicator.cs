namespace OrleansTrader.Domain.Indicators;

/// <summary>
/// A streaming indicator: every update is O(1) in time and memory bounded by the period.
/// <see cref="IsReady"/> turns true once enough samples arrived for the value to be defined.
/// </summary>
public interface IIndicator
{
    /// <summary>Number of inputs accepted since construction or the last reset.</summary>
    int Samples { get; }

    bool IsReady { get; }

    void Reset();
}

using System.Globalization;

namespace OrleansTrader.Domain.Strategies;

/// <summary>Deterministic client order ids: the same strategy id and sequence always give the same id.</summary>
public static class ClientOrderIds
{
    public static string Create(string strategyId, long sequence)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(strategyId);
        ArgumentOutOfRangeException.ThrowIfLessThan(sequence, 1L);
        return string.Create(CultureInfo.InvariantCulture, $"{strategyId}-{sequence}");
    }
}

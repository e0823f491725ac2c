using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>Closed trades that differ only by number (and exit execution id), for the trade store's paging tests.</summary>
internal static class NumberedTrades
{
    public static ClosedTrade Trade(long number) => new()
    {
        Number = number,
        Symbol = "TRD",
        IsLong = true,
        Quantity = 1m,
        EntryPrice = 10m,
        ExitTime = DateTimeOffset.UnixEpoch,
        ExitPrice = 11m,
        RealizedPnl = 1m,
        Fees = 0m,
        ExitExecutionId = "E" + number,
    };
}

namespace OrleansTrader.Domain.Statistics;

/// <summary>
/// What a list of closed trades adds up to, from each trade's net P&amp;L (after fees). A trade at exactly zero is neither a
/// win nor a loss. Figures that are undefined for the trades given (no trades, no losing trade) are null.
/// </summary>
public sealed record TradeStatistics
{
    public required int Count { get; init; }

    public required int Winning { get; init; }

    public required int Losing { get; init; }

    public required decimal NetPnl { get; init; }

    /// <summary>Winning trades over all trades.</summary>
    public decimal? WinRate { get; init; }

    /// <summary>Gross profit over gross loss.</summary>
    public decimal? ProfitFactor { get; init; }

    public decimal? AverageWin { get; init; }

    /// <summary>Negative.</summary>
    public decimal? AverageLoss { get; init; }

    public decimal? Best { get; init; }

    public decimal? Worst { get; init; }

    public static TradeStatistics Of(IEnumerable<decimal> netPnls)
    {
        ArgumentNullException.ThrowIfNull(netPnls);
        var all = netPnls.ToArray();
        var wins = all.Where(p => p > 0m).ToArray();
        var losses = all.Where(p => p < 0m).ToArray();
        var grossLoss = -losses.Sum();
        return new TradeStatistics
        {
            Count = all.Length,
            Winning = wins.Length,
            Losing = losses.Length,
            NetPnl = all.Sum(),
            WinRate = all.Length > 0 ? (decimal)wins.Length / all.Length : null,
            ProfitFactor = grossLoss > 0m ? wins.Sum() / grossLoss : null,
            AverageWin = wins.Length > 0 ? wins.Average() : null,
            AverageLoss = losses.Length > 0 ? losses.Average() : null,
            Best = all.Length > 0 ? all.Max() : null,
            Worst = all.Length > 0 ? all.Min() : null,
        };
    }
}

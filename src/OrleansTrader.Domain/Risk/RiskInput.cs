using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;

namespace OrleansTrader.Domain.Risk;

/// <summary>
/// Everything a pre-trade decision needs, gathered by the account in the turn that accepts the order. Nullable
/// members are inputs that can be missing; a check that needs a missing one denies (never a default).
/// </summary>
public sealed record RiskInput
{
    public required OrderRequest Request { get; init; }

    public required DateTimeOffset Now { get; init; }

    public required TradingState TradingState { get; init; }

    public RiskLimits? Limits { get; init; }

    public Instrument? Instrument { get; init; }

    public ITradingCalendar? Calendar { get; init; }

    public QuoteTick? Quote { get; init; }

    /// <summary>Last trade price, the centre of the price band; the quote mid is used when absent.</summary>
    public decimal? LastPrice { get; init; }

    public AccountLedger? Account { get; init; }

    /// <summary>The account marked to market now (equity, buying power net of reservations).</summary>
    public Valuation? Valuation { get; init; }

    /// <summary>Why <see cref="Valuation"/> is absent when the account knows (e.g. it overflows); named in the denial.</summary>
    public string? ValuationError { get; init; }

    public IFeeModel? FeeModel { get; init; }

    public int OpenOrderCount { get; init; }

    /// <summary>Recent submit times of the account; the grain keeps at most the last window's worth.</summary>
    public IReadOnlyCollection<DateTimeOffset> RecentSubmits { get; init; } = [];
}

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// The hours of a trading day a market data feed delivers data in, in New York time under the NYSE calendar: the breaker's
/// stale-data trigger and readiness judge the feed only then (<see cref="MarketDataFreshness"/>). A null bound is the
/// calendar's own (pre-market open, after-hours close). On an early-close day a window that ends before the after-hours
/// close ends at the regular close instead: what a venue's post-market does on those days is not assumed. Under the
/// always-open calendar the feed is judged around the clock whatever its hours.
/// </summary>
public sealed record FeedHours(TimeOnly? From, TimeOnly? Until)
{
    /// <summary>The whole extended session (04:00-20:00): SIP, the synthetic feed, a replay.</summary>
    public static FeedHours ExtendedSession { get; } = new(null, null);

    /// <summary>IEX's system hours: its pre-market opens at 08:00 and its post-market closes at 17:00.</summary>
    public static FeedHours Iex { get; } = new(new TimeOnly(8, 0), new TimeOnly(17, 0));

    /// <summary>SIP 15 minutes late: the first prints of the 04:00 pre-market arrive at 04:15.</summary>
    public static FeedHours DelayedSip { get; } = new(new TimeOnly(4, 15), null);

    /// <summary>The hours of an Alpaca stream by its <c>MarketData:Alpaca:Feed</c>; <c>test</c> prints around the clock.</summary>
    public static FeedHours ForAlpaca(string feed) => feed switch
    {
        "iex" => Iex,
        "delayed_sip" => DelayedSip,
        _ => ExtendedSession,
    };
}

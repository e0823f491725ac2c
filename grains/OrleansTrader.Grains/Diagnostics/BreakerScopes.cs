namespace OrleansTrader.Grains.Diagnostics;

/// <summary>The breaker metric's scope tag: one account's breaker, or the global kill switch.</summary>
internal static class BreakerScopes
{
    public const string Account = "account";
    public const string Global = "global";
}

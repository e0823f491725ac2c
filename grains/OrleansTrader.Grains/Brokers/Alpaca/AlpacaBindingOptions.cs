namespace OrleansTrader.Grains.Brokers.Alpaca;

/// <summary>
/// The grains' side of the "Alpaca" section: which OrleansTrader account the key trades for. One Alpaca key is one
/// brokerage account, so exactly one account id is bound to it (<c>Alpaca__AccountId</c>); the key and secret themselves
/// are <see cref="OrleansTrader.Brokers.Alpaca.AlpacaOptions"/> and never pass through the grains.
/// </summary>
public sealed class AlpacaBindingOptions
{
    public string AccountId { get; set; } = string.Empty;

    /// <summary>
    /// How long the trade_updates stream may stay unhealthy before the bound account's breaker goes to REDUCING. A short
    /// reconnect loses nothing (the adapter back-fills), so a blip must not need a manual reset by the risk role.
    /// </summary>
    public TimeSpan StreamUnhealthyTripAfter { get; set; } = TimeSpan.FromSeconds(30);
}

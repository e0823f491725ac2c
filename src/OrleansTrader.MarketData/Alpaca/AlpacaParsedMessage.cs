using OrleansTrader.MarketData.Events;
using OrleansTrader.MarketData.Health;

namespace OrleansTrader.MarketData.Alpaca;

/// <summary>One element of a stream frame: data, control, or something that was not understood (and why).</summary>
internal readonly record struct AlpacaParsedMessage(
    MarketDataEvent? Data,
    AlpacaControlMessage? Control,
    MalformedReason Malformed = MalformedReason.None,
    string? Detail = null);

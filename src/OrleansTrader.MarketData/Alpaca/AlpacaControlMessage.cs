namespace OrleansTrader.MarketData.Alpaca;

/// <summary>A control message of the Alpaca stream: <c>success</c>, <c>error</c> or <c>subscription</c>.</summary>
internal sealed record AlpacaControlMessage(
    string Type,
    string? Message,
    int? Code,
    IReadOnlyList<string> Trades,
    IReadOnlyList<string> Quotes,
    IReadOnlyList<string> Bars);

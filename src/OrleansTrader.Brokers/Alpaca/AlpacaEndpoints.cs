namespace OrleansTrader.Brokers.Alpaca;

/// <summary>Alpaca's public Trading API v2 hosts. Paper and live use different hosts and different keys.</summary>
public static class AlpacaEndpoints
{
    public static readonly Uri PaperTrading = new("https://paper-api.alpaca.markets");

    public static readonly Uri LiveTrading = new("https://api.alpaca.markets");

    public static readonly Uri PaperStream = new("wss://paper-api.alpaca.markets/stream");

    public static readonly Uri LiveStream = new("wss://api.alpaca.markets/stream");
}

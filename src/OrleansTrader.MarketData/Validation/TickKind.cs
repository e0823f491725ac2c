namespace OrleansTrader.MarketData.Validation;

internal enum TickKind
{
    Trade = 0,
    Quote,
    Bar,
}

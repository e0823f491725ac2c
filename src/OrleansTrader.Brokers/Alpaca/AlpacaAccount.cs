namespace OrleansTrader.Brokers.Alpaca;

/// <summary>The account summary from GET /v2/account. The account number is deliberately absent.</summary>
public sealed record AlpacaAccount(string Status, string Currency, decimal Cash, decimal BuyingPower, decimal Equity, bool TradingBlocked);

namespace OrleansTrader.Grains.Tests.Samples;

/// <summary>What a price alert has seen: trades above its threshold, and checks its reminder ran.</summary>
public sealed record PriceAlert(string Symbol, decimal? Threshold, decimal? LastPrice, int Triggered, int Checks);

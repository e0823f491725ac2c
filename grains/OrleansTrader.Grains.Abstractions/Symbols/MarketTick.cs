using OrleansTrader.Domain.Market;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>A validated tick on the "ticks" stream: exactly one of <see cref="Trade"/> or <see cref="Quote"/> is set.</summary>
public sealed record MarketTick(TradeTick? Trade, QuoteTick? Quote);

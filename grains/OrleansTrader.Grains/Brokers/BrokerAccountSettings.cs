using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Grains.Brokers;

/// <summary>What a venue needs to know about an account (the paper venue charges the account's own fee model).</summary>
public sealed record BrokerAccountSettings(FeeModelSpec FeeModel);

using OrleansTrader.Brokers;

namespace OrleansTrader.Grains.Brokers;

/// <summary>Gives an account its broker client. Only the account grain calls it, after its risk checks.</summary>
public interface IBrokerClientFactory
{
    /// <summary>The client of <paramref name="accountId"/> at <paramref name="broker"/>; throws <see cref="BrokerNotAvailableException"/>
    /// when that broker is not wired into this silo.</summary>
    IBrokerClient GetClient(string accountId, string broker);

    /// <summary>True when <paramref name="broker"/> can be used in this silo.</summary>
    bool IsAvailable(string broker);

    /// <summary>Null when <paramref name="accountId"/> may trade through <paramref name="broker"/> in this silo; otherwise a message
    /// saying why not (unknown broker, Alpaca not configured, or the Alpaca key bound to another account).</summary>
    string? Refusal(string accountId, string broker);

    /// <summary>Prepares the account at the broker (fee model for the paper venue) and starts pumping its execution reports
    /// into the durable "fills" stream; completes once reports can no longer be missed.</summary>
    Task ConnectAsync(string accountId, string broker, BrokerAccountSettings settings, CancellationToken cancellationToken);
}

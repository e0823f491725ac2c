using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Alpaca;

namespace OrleansTrader.Grains.Brokers.Alpaca;

/// <summary>Registered only in a silo configured with Alpaca keys: the key's client and the one account bound to it.</summary>
internal sealed class AlpacaBrokerBinding(IOptions<AlpacaBindingOptions> options, AlpacaTradingClient client)
{
    public string AccountId { get; } = options.Value.AccountId;

    public AlpacaTradingClient Client { get; } = client;

    /// <summary>Null when <paramref name="accountId"/> may trade through the key; otherwise why not.</summary>
    public string? Refusal(string accountId) => string.Equals(accountId, AccountId, StringComparison.Ordinal)
        ? null
        : $"The Alpaca key of this silo is bound to account \"{AccountId}\"; one Alpaca key is one brokerage account, so account "
          + $"\"{accountId}\" cannot use broker \"alpaca\". Open it with broker \"paper\", or run it with its own key.";
}

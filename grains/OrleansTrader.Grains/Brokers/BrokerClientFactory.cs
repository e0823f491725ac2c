using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers.Alpaca;

namespace OrleansTrader.Grains.Brokers;

/// <summary>
/// The silo's broker wiring: "paper" is the in-process paper exchange; "alpaca" is the Alpaca adapter when the silo is
/// configured with a key, and then only for the one account bound to that key. Without keys "alpaca" is refused with a
/// clear message (never a silent fallback to paper).
/// </summary>
internal sealed class BrokerClientFactory(PaperExchange paper, ExecutionReportPump pump, AlpacaBrokerBinding? alpaca = null) : IBrokerClientFactory
{
    private const string NoAlpaca =
        "The Alpaca broker is not configured in this silo; open the account with broker \"paper\", or run a silo configured with "
        + "Alpaca keys (Alpaca__KeyId, Alpaca__SecretKey, Alpaca__AccountId).";

    public bool IsAvailable(string broker) => broker switch
    {
        BrokerNames.Paper => true,
        BrokerNames.Alpaca => alpaca is not null,
        _ => false,
    };

    public string? Refusal(string accountId, string broker) => broker switch
    {
        BrokerNames.Paper => null,
        BrokerNames.Alpaca => alpaca is null ? NoAlpaca : alpaca.Refusal(accountId),
        _ => $"Unknown broker \"{broker}\"; known brokers: paper, alpaca.",
    };

    public IBrokerClient GetClient(string accountId, string broker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        if (Refusal(accountId, broker) is { } refusal)
        {
            throw new BrokerNotAvailableException(refusal);
        }

        return broker == BrokerNames.Alpaca ? alpaca!.Client : paper.GetClient(accountId);
    }

    public async Task ConnectAsync(string accountId, string broker, BrokerAccountSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var client = GetClient(accountId, broker);
        if (broker == BrokerNames.Paper)
        {
            paper.ConfigureAccount(accountId, new PaperAccountSettings { FeeModel = settings.FeeModel });
        }

        // For Alpaca this is the key's single trade_updates reader: only the bound account gets here, and the pump keeps
        // one reader per account. The stream back-fills from the FILL activities after every (re)connect.
        pump.EnsureStarted(accountId, client);
        if (broker == BrokerNames.Paper)
        {
            await paper.WhenReportStreamOpenAsync(accountId, cancellationToken);
        }
    }
}

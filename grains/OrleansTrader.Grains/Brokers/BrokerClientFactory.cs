using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Brokers;

/// <summary>
/// The silo's broker wiring: "paper" is the in-process paper exchange; "alpaca" is refused with a clear message until its
/// adapter is wired into the silo (never a silent fallback to paper).
/// </summary>
internal sealed class BrokerClientFactory(PaperExchange paper, ExecutionReportPump pump) : IBrokerClientFactory
{
    public bool IsAvailable(string broker) => string.Equals(broker, BrokerNames.Paper, StringComparison.Ordinal);

    public IBrokerClient GetClient(string accountId, string broker)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return broker switch
        {
            BrokerNames.Paper => paper.GetClient(accountId),
            BrokerNames.Alpaca => throw new BrokerNotAvailableException(
                "The Alpaca broker is not wired into this silo; open the account with broker \"paper\" or run a silo configured with Alpaca keys."),
            _ => throw new BrokerNotAvailableException($"Unknown broker \"{broker}\"; known brokers: paper, alpaca."),
        };
    }

    public async Task ConnectAsync(string accountId, string broker, BrokerAccountSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var client = GetClient(accountId, broker);
        if (broker == BrokerNames.Paper)
        {
            paper.ConfigureAccount(accountId, new PaperAccountSettings { FeeModel = settings.FeeModel });
        }

        pump.EnsureStarted(accountId, client);
        if (broker == BrokerNames.Paper)
        {
            await paper.WhenReportStreamOpenAsync(accountId, cancellationToken);
        }
    }
}

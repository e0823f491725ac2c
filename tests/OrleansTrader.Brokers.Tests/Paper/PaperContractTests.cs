using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Domain.Fees;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>The shared contract suite run against the paper exchange, driven by market data.</summary>
public sealed class PaperContractTests : BrokerClientContractTests
{
    private const string AccountId = "contract";

    protected override Task<BrokerVenue> CreateVenueAsync(CancellationToken cancellationToken)
    {
        // The suite reads the system clock (GetExecutionsSince) and expects fee-free fills; the always-open calendar
        // keeps it independent of the time of day it runs at.
        var options = new PaperExchangeOptions { Calendar = PaperCalendarKind.AlwaysOpen };
        var exchange = new PaperExchange(Options.Create(options), new InMemoryPaperVenueStore(), TimeProvider.System, NullLogger<PaperExchange>.Instance);
        exchange.ConfigureAccount(AccountId, new PaperAccountSettings { FeeModel = new FeeModelSpec { IncludeRegulatoryFees = false } });
        var client = exchange.GetClient(AccountId);
        return Task.FromResult(new BrokerVenue(client, new PaperVenueDriver(exchange, client, AccountId, TimeProvider.System), exchange));
    }
}

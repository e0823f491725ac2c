using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Paper;

public sealed class PaperExchangeRestoreLogTests
{
    /// <summary>
    /// A silo of 3,000 paper accounts printed 3,000 Information lines at every start, one per restored account, out of the
    /// start's 3,019: the start's log is one summary line however many accounts the venue holds, each account at Debug.
    /// </summary>
    [Fact]
    public async Task Start_LogsOneInformationLine_HoweverManyAccountsItRestores()
    {
        var store = new InMemoryPaperVenueStore();
        foreach (var accountId in new[] { "a1", "a2", "a3", "a4" })
        {
            await store.SaveAsync(accountId, null, () => new PaperVenueSnapshot(), TestContext.Current.CancellationToken);
        }

        var logs = new CapturedLogs();
        using var loggers = new LoggerFactory([logs]);
        await using var exchange = new PaperExchange(Options.Create(new PaperExchangeOptions()), store, new ManualTimeProvider(PaperHarness.Start),
            loggers.CreateLogger<PaperExchange>());

        await exchange.StartAsync(TestContext.Current.CancellationToken);

        var information = Assert.Single(logs.Entries, e => e.Level >= LogLevel.Information);
        Assert.StartsWith("Paper venue restored 4 accounts", information.Text, StringComparison.Ordinal);
        Assert.Equal(4, logs.Entries.Count(e => e.Level == LogLevel.Debug && e.EventId.Id == 4204));
    }
}

using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// A report stream cancelled while the venue delivers into it: it ends with the cancellation, having yielded an unbroken
/// run of the reports from its start, each once, and the venue never takes it for a reader left behind.
/// </summary>
public sealed class PaperReportStreamCancellationTests
{
    private const int Rounds = 150;
    private const int OrdersPerRound = 12;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ReportStream_CancelledWhileReportsArrive_YieldsEachReportOnceInOrder_AndIsNotDisconnected()
    {
        var logs = new DisconnectLog();
        await using var exchange = new PaperExchange(Options.Create(new PaperExchangeOptions()), new InMemoryPaperVenueStore(),
            new ManualTimeProvider(Start), logs);
        await exchange.StartAsync(Ct);
        var client = exchange.GetClient(AccountId);
        var random = new Random(20261206);

        for (var round = 0; round < Rounds; round++)
        {
            using var cancel = CancellationTokenSource.CreateLinkedTokenSource(Ct);
            var read = new List<ExecutionReport>();
            var reader = Task.Run(async () =>
            {
                await foreach (var report in client.StreamExecutionReportsAsync(cancel.Token))
                {
                    read.Add(report);
                }
            }, Ct);
            await exchange.WhenReportStreamOpenAsync(AccountId, Ct);

            // The cancellation lands anywhere among the deliveries: before, between or after them, from another thread.
            var cancelAfter = random.Next(OrdersPerRound + 1);
            var submitted = new List<string>();
            for (var i = 0; i < OrdersPerRound; i++)
            {
                if (i == cancelAfter)
                {
                    _ = Task.Run(cancel.Cancel, Ct);
                }

                var order = await client.SubmitOrderAsync(
                    Request($"r{round}-{i}", OrderSide.Buy, OrderType.Limit, 1m, limit: 90m), Ct);
                submitted.Add(order.OrderId);
            }

            await cancel.CancelAsync();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => reader);

            Assert.True(read.Count <= OrdersPerRound, $"round {round}: {read.Count} reports for {OrdersPerRound} orders");
            Assert.Equal(submitted.Take(read.Count), read.Select(r => r.Order.OrderId));
            Assert.All(read, r => Assert.Equal(ExecutionReportKind.Accepted, r.Kind));
        }

        Assert.Equal(0, logs.Disconnects);
        Assert.Equal(Rounds * OrdersPerRound, (await client.ListOpenOrdersAsync(Ct)).Count);
    }

    /// <summary>Counts the venue's "report stream fell behind and was disconnected" warnings.</summary>
    private sealed class DisconnectLog : ILogger<PaperExchange>
    {
        private const int SubscriberDisconnectedEventId = 4203;
        private int _disconnects;

        public int Disconnects => Volatile.Read(ref _disconnects);

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            if (eventId.Id == SubscriberDisconnectedEventId)
            {
                Interlocked.Increment(ref _disconnects);
            }
        }
    }
}

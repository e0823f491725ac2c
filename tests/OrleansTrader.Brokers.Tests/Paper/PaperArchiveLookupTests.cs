using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// A placement asks the archive whether its client order id names an archived order. The grain store's first such question
/// after a restart reads and indexes every archive chunk the retention keeps (about 3 s for an account with 100,000
/// archived orders), and while a placement held its symbol's gate, every other account's order in that symbol waited.
/// </summary>
public sealed class PaperArchiveLookupTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ArchiveLookupOfAPlacement_HoldsNoOrderOfAnotherAccountInTheSymbol()
    {
        var store = new HeldLookupStore();
        await using var venue = await StartAsync(o => o.MaxRetainedOrders = 10, store: store);
        await venue.QuoteAsync(99.90m, 100.00m);
        for (var i = 0; i < 20; i++)
        {
            // Past 10 final orders the oldest go to the archive: from then on a new client order id is looked up there.
            venue.Time.Advance(TimeSpan.FromSeconds(1));
            var order = await venue.SubmitAsync(Request($"o{i}", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
            await venue.WaitForAsync(order.OrderId, ExecutionReportKind.Fill);
        }

        store.HoldNextLookup();
        var held = venue.SubmitAsync(Request("held", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc));
        try
        {
            await store.LookupStarted.Task.WaitAsync(Ct);

            // The other account's order needs only the symbol's book; bounded so that a placement waiting for the held
            // lookup fails the test instead of hanging it.
            var other = venue.Exchange.GetClient("acct-2");
            var placed = await other.SubmitOrderAsync(Request("b1", OrderSide.Buy, OrderType.Market, 1m, tif: TimeInForce.Gtc), Ct)
                .WaitAsync(TimeSpan.FromSeconds(10), Ct);

            Assert.Equal("b1", placed.ClientOrderId);
            Assert.False(held.IsCompleted);
        }
        finally
        {
            store.ReleaseLookup();
        }

        Assert.Equal("held", (await held).ClientOrderId);
    }

    /// <summary>Holds the next archive lookup by client order id until released, as a first lookup that indexes a big archive does.</summary>
    private sealed class HeldLookupStore() : DelegatingPaperVenueStore(new InMemoryPaperVenueStore())
    {
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _armed;

        public TaskCompletionSource LookupStarted { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public void HoldNextLookup() => Volatile.Write(ref _armed, 1);

        public void ReleaseLookup() => _released.TrySetResult();

        public override async Task<PaperOrderRecord?> FindArchivedOrderByClientOrderIdAsync(string accountId, string clientOrderId, CancellationToken cancellationToken)
        {
            if (Interlocked.Exchange(ref _armed, 0) == 1)
            {
                LookupStarted.TrySetResult();
                await _released.Task.WaitAsync(cancellationToken);
            }

            return await base.FindArchivedOrderByClientOrderIdAsync(accountId, clientOrderId, cancellationToken);
        }
    }
}

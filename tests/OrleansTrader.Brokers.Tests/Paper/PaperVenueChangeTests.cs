using System.Text.Json;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Fakes;
using OrleansTrader.Domain.Orders;
using static OrleansTrader.Brokers.Tests.Paper.PaperHarness;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>
/// The venue hands its store the change of each save instead of the whole state; a store that keeps only changes is
/// exact only if every change, applied to the previous save, gives the state the venue now holds.
/// </summary>
public sealed class PaperVenueChangeTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Changes_BuiltByTheVenue_AddUpToItsWholeState_AfterEverySave()
    {
        var store = new ChangeCheckingStore();
        await using var venue = await StartAsync(o => o.Retention = TimeSpan.FromHours(1), store: store);

        // A bracket that fills in two parts, then its take-profit, which cancels the stop-loss (OCO).
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 3m);
        var entry = await venue.SubmitAsync(Request("bracket", OrderSide.Buy, OrderType.Limit, 10m, limit: 100.00m, tif: TimeInForce.Gtc) with
        {
            OrderClass = OrderClass.Bracket,
            TakeProfit = new ExitLeg(LimitPrice: 110.00m),
            StopLoss = new ExitLeg(StopPrice: 90.00m, LimitPrice: 89.50m),
        });
        await venue.QuoteAsync(99.90m, 100.00m, askSize: 50m);
        await venue.WaitForAsync(entry.OrderId, ExecutionReportKind.Fill);

        // A market sell, a resting limit that is replaced and then canceled.
        var sell = await venue.SubmitAsync(Request("sell", OrderSide.Sell, OrderType.Market, 2m));
        await venue.WaitForAsync(sell.OrderId, ExecutionReportKind.Fill);
        var resting = await venue.SubmitAsync(Request("resting", OrderSide.Buy, OrderType.Limit, 5m, limit: 95.00m, tif: TimeInForce.Gtc));
        var replaced = await venue.Client.ReplaceOrderAsync(resting.OrderId, new OrderReplacement { Quantity = 7m, ClientOrderId = "resting-2" }, Ct);
        await venue.Client.CancelOrderAsync(replaced.OrderId, Ct);
        await venue.QuoteAsync(110.00m, 110.10m, bidSize: 50m);
        await venue.TradeAsync(110.00m, 100m);

        // Past the retention, the next change also archives: the venue then hands over the whole state.
        venue.Time.Advance(TimeSpan.FromHours(2));
        var late = await venue.SubmitAsync(Request("late", OrderSide.Buy, OrderType.Limit, 1m, limit: 50.00m, tif: TimeInForce.Gtc));
        await venue.Client.CancelOrderAsync(late.OrderId, Ct);

        Assert.Empty(store.Mismatches);
        Assert.True(store.ChangesChecked >= 8, $"only {store.ChangesChecked} changes were checked");
        Assert.True(store.WholeSaves >= 1, "archiving should have saved the whole state");
    }

    /// <summary>Keeps whole snapshots, and checks every change against the previous one.</summary>
    private sealed class ChangeCheckingStore() : DelegatingPaperVenueStore(new InMemoryPaperVenueStore())
    {
        private readonly Dictionary<string, PaperVenueSnapshot> _last = new(StringComparer.Ordinal);

        public List<string> Mismatches { get; } = [];

        public int ChangesChecked { get; private set; }

        public int WholeSaves { get; private set; }

        public override Task SaveAsync(string accountId, PaperVenueChange? change, Func<PaperVenueSnapshot> snapshot, CancellationToken cancellationToken)
        {
            var whole = snapshot();
            lock (_last)
            {
                if (change is null)
                {
                    WholeSaves++;
                }
                else
                {
                    var previous = _last.GetValueOrDefault(accountId) ?? new PaperVenueSnapshot();
                    var expected = Canonical(whole);
                    var actual = Canonical(change.ApplyTo(previous));
                    if (expected != actual)
                    {
                        Mismatches.Add($"expected {expected}{Environment.NewLine}got {actual}");
                    }

                    ChangesChecked++;
                }

                _last[accountId] = whole;
            }

            return base.SaveAsync(accountId, change, () => whole, cancellationToken);
        }

        private static string Canonical(PaperVenueSnapshot snapshot) => JsonSerializer.Serialize(snapshot with
        {
            Orders = [.. snapshot.Orders.OrderBy(o => o.Sequence)],
            Groups = [.. snapshot.Groups.OrderBy(g => g.GroupId, StringComparer.Ordinal)],
            Positions = [.. snapshot.Positions.OrderBy(p => p.Symbol, StringComparer.Ordinal)],
        });
    }
}

using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Brokers.Tests.Contract;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Tests.Paper;

/// <summary>A paper exchange on a manual clock with one account, its client and a report collector.</summary>
public sealed class PaperHarness : IAsyncDisposable
{
    public const string AccountId = "acct-1";

    /// <summary>Tuesday 2026-03-10 10:00 in New York (EDT, UTC-4): a regular NYSE session day.</summary>
    public static readonly DateTimeOffset Start = new(2026, 3, 10, 14, 0, 0, TimeSpan.Zero);

    private PaperHarness(ManualTimeProvider time, IPaperVenueStore store, PaperExchange exchange, PaperAccountSettings? settings)
    {
        Time = time;
        Store = store;
        Exchange = exchange;
        if (settings is not null)
        {
            exchange.ConfigureAccount(AccountId, settings);
        }

        Client = exchange.GetClient(AccountId);
    }

    public ManualTimeProvider Time { get; }

    public IPaperVenueStore Store { get; }

    public PaperExchange Exchange { get; }

    public IBrokerClient Client { get; }

    public ExecutionReportCollector? Reports { get; private set; }

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public static async Task<PaperHarness> StartAsync(Action<PaperExchangeOptions>? configure = null, PaperAccountSettings? settings = null,
        ManualTimeProvider? time = null, IPaperVenueStore? store = null, bool collect = true)
    {
        var options = new PaperExchangeOptions();
        configure?.Invoke(options);
        time ??= new ManualTimeProvider(Start);
        store ??= new InMemoryPaperVenueStore();
        var exchange = new PaperExchange(Options.Create(options), store, time, NullLogger<PaperExchange>.Instance);
        await exchange.StartAsync(Ct);
        var harness = new PaperHarness(time, store, exchange, settings);
        if (collect)
        {
            harness.Reports = new ExecutionReportCollector(harness.Client);
            await exchange.WhenReportStreamOpenAsync(AccountId, Ct);
        }

        return harness;
    }

    public Task QuoteAsync(decimal bid, decimal ask, decimal bidSize = 100m, decimal askSize = 100m, string symbol = "AAPL") =>
        Exchange.UpdateQuoteAsync(new QuoteTick(symbol, Time.GetUtcNow(), bid, bidSize, ask, askSize), Ct);

    public Task TradeAsync(decimal price, decimal size, string symbol = "AAPL") =>
        Exchange.UpdateTradeAsync(new TradeTick(symbol, Time.GetUtcNow(), price, size), Ct);

    public Task<BrokerOrder> SubmitAsync(OrderRequest request) => Client.SubmitOrderAsync(request, Ct);

    public async Task<BrokerOrder> OrderAsync(string orderId) =>
        await Client.GetOrderAsync(orderId, Ct) ?? throw new InvalidOperationException($"Order {orderId} is unknown.");

    public Task<IReadOnlyList<ExecutionReport>> WaitForAsync(string orderId, ExecutionReportKind kind, int count = 1) =>
        Reports!.WaitForAsync(r => r.Order.OrderId == orderId && r.Kind == kind, count);

    public IReadOnlyList<ExecutionReport> ReportsFor(string orderId) => [.. Reports!.Reports.Where(r => r.Order.OrderId == orderId)];

    public static OrderRequest Request(string clientOrderId, OrderSide side, OrderType type, decimal quantity, decimal? limit = null,
        decimal? stop = null, TimeInForce tif = TimeInForce.Day, string symbol = "AAPL") => new()
    {
        ClientOrderId = clientOrderId,
        Symbol = symbol,
        Side = side,
        Type = type,
        Quantity = quantity,
        LimitPrice = limit,
        StopPrice = stop,
        TimeInForce = tif,
    };

    public async ValueTask DisposeAsync()
    {
        if (Reports is not null)
        {
            await Reports.DisposeAsync();
        }

        await Exchange.DisposeAsync();
    }
}

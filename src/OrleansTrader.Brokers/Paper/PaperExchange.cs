using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Fills;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// The in-process simulated venue. It hosts many accounts (<see cref="GetClient"/>), takes market data pushed by the
/// host (<see cref="UpdateQuoteAsync"/>, <see cref="UpdateTradeAsync"/>) and matches working orders with the domain's
/// <see cref="FillModel"/>. Orders are validated with the domain's <see cref="OrderValidator"/>, fees come from each
/// account's fee model, positions from the domain's average-cost position. State is saved to the
/// <see cref="IPaperVenueStore"/> before anything is acknowledged or reported; <see cref="StartAsync"/> restores it.
/// </summary>
/// <remarks>
/// Memory: one <see cref="SymbolBook"/> per symbol that received data or an order (bounded by the instrument
/// universe), one account per account id given to <see cref="GetClient"/> or found in the store (bounded by the
/// host's accounts); inside an account, final orders and executions leave memory after the retention window.
/// </remarks>
public sealed class PaperExchange : IDisposable, IAsyncDisposable
{
    public const string BrokerName = "paper";

    private readonly ConcurrentDictionary<string, PaperAccount> _accounts = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, SymbolBook> _books = new(StringComparer.Ordinal);
    private readonly InstrumentCatalog _instruments;
    private readonly UnlistedInstruments _unlisted = new();

    public PaperExchange(IOptions<PaperExchangeOptions> options, IPaperVenueStore store, TimeProvider timeProvider, ILogger<PaperExchange> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(timeProvider);
        ArgumentNullException.ThrowIfNull(logger);
        Options = options.Value;
        var invalid = new PaperExchangeOptionsValidator().Validate(null, Options);
        if (invalid.Failed)
        {
            throw new OptionsValidationException(nameof(PaperExchangeOptions), typeof(PaperExchangeOptions), invalid.Failures);
        }

        Store = store;
        Time = timeProvider;
        Logger = logger;
        FillOptions = Options.FillModel;
        Calendar = Options.Calendar == PaperCalendarKind.AlwaysOpen ? AlwaysOpenCalendar.Instance : NyseCalendar.Instance;
        _instruments = InstrumentCatalog.Create(Options.Instruments).GetValueOrThrow();
    }

    internal PaperExchangeOptions Options { get; }

    internal IPaperVenueStore Store { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal ITradingCalendar Calendar { get; }

    internal FillModelOptions FillOptions { get; }

    /// <summary>The account's connection to the venue. Clients are cheap; every client of one account shares its state.</summary>
    public IBrokerClient GetClient(string accountId) => new PaperBrokerClient(Account(accountId));

    /// <summary>Sets the account's fee model (default: <see cref="PaperAccountSettings.Default"/>); applies to later fills.</summary>
    public void ConfigureAccount(string accountId, PaperAccountSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        Account(accountId).Configure(settings);
    }

    /// <summary>Restores every account in the store: working orders resume, pending acknowledgements and DAY expiries are re-armed.</summary>
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var accounts = await Store.ListAccountsAsync(cancellationToken);
        var working = 0;
        foreach (var accountId in accounts)
        {
            var account = Account(accountId);
            await account.EnsureLoadedAsync(cancellationToken);
            working += account.WorkingOrderCount;
        }

        PaperLog.RestoredAll(Logger, accounts.Count, working);
    }

    /// <summary>A new top of book; completes when every order it fills is matched and saved.</summary>
    public async Task UpdateQuoteAsync(QuoteTick quote, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(quote);
        var book = Book(quote.Symbol);
        await book.Gate.WaitAsync(cancellationToken);
        try
        {
            book.Quote = quote;
            await MatchAllAsync(quote.Symbol, book, new MarketView(quote, null));
        }
        finally
        {
            book.Gate.Release();
        }
    }

    /// <summary>A printed trade: triggers stops, moves trailing stops, fills limits it prints through; completes when saved.</summary>
    public async Task UpdateTradeAsync(TradeTick trade, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(trade);
        var book = Book(trade.Symbol);
        await book.Gate.WaitAsync(cancellationToken);
        try
        {
            await MatchAllAsync(trade.Symbol, book, new MarketView(book.Quote, trade));
        }
        finally
        {
            book.Gate.Release();
        }
    }

    /// <summary>Halts trading in a symbol: new orders are rejected with <paramref name="reason"/> and nothing matches until resumed.</summary>
    public void HaltTrading(string symbol, string reason)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(reason);
        Book(symbol).HaltReason = reason;
        PaperLog.Halted(Logger, symbol, reason);
    }

    public void ResumeTrading(string symbol)
    {
        Book(symbol).HaltReason = null;
        PaperLog.Resumed(Logger, symbol);
    }

    /// <summary>Stops the venue's timers and ends every open report stream. Saved state stays in the store.</summary>
    public void Dispose()
    {
        foreach (var account in _accounts.Values)
        {
            account.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>Completes once the account has an open report stream (used by tests and by hosts that must not miss a report).</summary>
    public Task WhenReportStreamOpenAsync(string accountId, CancellationToken cancellationToken) =>
        Account(accountId).WhenSubscribedAsync(cancellationToken);

    internal static string NewOrderId() => Guid.CreateVersion7().ToString();

    internal SymbolBook Book(string symbol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        return _books.GetOrAdd(symbol, _ => new SymbolBook());
    }

    /// <summary>
    /// The fill model's options for an order: fills round down to the configured increment when the order's quantity and
    /// what is left of it are on it and it is a whole number of the instrument's own step for the order (a fractional
    /// order of a fractionable instrument steps in its fractional increment, any other order in whole lots); otherwise to
    /// that step. So a fill never splits a lot the instrument does not split: under a configured 0.5 a whole-share order
    /// still fills whole shares, and its position and any group exit shrunk to it stay whole.
    /// </summary>
    /// <remarks>
    /// The remainder counts because a group exit shrunk to the position left (see <see cref="OrderGroup"/>) can get a
    /// total on the configured increment after fills off it: a stop-loss resized to 100 shares with 30 filled must still
    /// fill its 70 under a 100-share increment.
    /// </remarks>
    internal FillModelOptions FillOptionsFor(Order order)
    {
        var instrument = _instruments.Find(order.Symbol) ?? _unlisted.For(order.Symbol);
        if (instrument is null)
        {
            return FillOptions;
        }

        var configured = FillOptions.QuantityIncrement;
        var leaves = order.LeavesQuantity;
        var step = Math.Min(instrument.QuantityIncrementFor(order.Quantity), instrument.QuantityIncrementFor(leaves));
        var configuredFits = Money.IsMultipleOf(configured, step)
            && Money.IsMultipleOf(order.Quantity, configured) && Money.IsMultipleOf(leaves, configured);
        return configuredFits || step == configured ? FillOptions : FillOptions with { QuantityIncrement = step };
    }

    /// <summary>Why the venue refuses a new order, or null when it takes it.</summary>
    internal string? CheckSubmission(OrderRequest request)
    {
        var instrument = _instruments.Find(request.Symbol ?? string.Empty)
            ?? (Options.AcceptUnlistedSymbols ? _unlisted.For(request.Symbol) : null);
        if (instrument is null)
        {
            return $"SYMBOL_UNKNOWN: {request.Symbol} is not listed at the paper venue.";
        }

        var errors = OrderValidator.Validate(request, instrument);
        if (errors.Count > 0)
        {
            return string.Join("; ", errors);
        }

        if (!instrument.Tradable)
        {
            return $"SYMBOL_NOT_TRADABLE: {request.Symbol} is not tradable.";
        }

        if (request.TimeInForce is TimeInForce.Opg or TimeInForce.Cls)
        {
            return $"TIME_IN_FORCE_NOT_SUPPORTED: the paper venue runs no opening or closing auction, so it takes no {request.TimeInForce} orders.";
        }

        return _books.TryGetValue(request.Symbol!, out var book) && book.HaltReason is { } halt
            ? $"TRADING_HALTED: {halt}"
            : null;
    }

    /// <summary>The account's saves that walked all its retained orders for the retention (see <see cref="PaperAccount.RetentionPasses"/>).</summary>
    internal int RetentionPassesOf(string accountId) => Account(accountId).RetentionPasses;

    private PaperAccount Account(string accountId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        return _accounts.GetOrAdd(accountId, id => new PaperAccount(this, id));
    }

    private async Task MatchAllAsync(string symbol, SymbolBook book, MarketView view)
    {
        if (book.HaltReason is not null)
        {
            return;
        }

        foreach (var account in _accounts.Values)
        {
            await account.MatchAsync(symbol, view);
        }

        book.Quote = view.Quote;
    }
}

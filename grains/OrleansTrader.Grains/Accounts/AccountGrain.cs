using System.Runtime.InteropServices;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers;
using OrleansTrader.Domain;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Brokers;
using OrleansTrader.Grains.Diagnostics;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Trades;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// The single writer of one account. Orders pass the domain risk engine and reserve buying power in the same turn, before
/// the broker is awaited; executions arrive on the durable "fills" stream and are applied once by execution id; the state
/// is persisted before a command is acknowledged and before events are published.
/// </summary>
[ImplicitStreamSubscription(StreamNames.Fills)]
internal sealed partial class AccountGrain(
    [PersistentState("account")] IPersistentState<AccountState> state,
    IBrokerClientFactory brokers,
    TradingEnvironment environment,
    TimeProvider time,
    IOptions<AccountGrainOptions> options,
    GrainsMetrics metrics,
    BreakerSignalOutages signalOutages,
    ILogger<AccountGrain> logger) : Grain, IAccountGrain
{
    private const string SettingsName = "settings";

    // An order query waits this long for the broker's trailing stop levels before it answers without them.
    private static readonly TimeSpan TrailingLevelTimeout = TimeSpan.FromSeconds(2);
    private readonly AccountGrainOptions _options = options.Value;
    private readonly AccountHistory _history = new();
    private readonly Dictionary<string, decimal> _marks = new(StringComparer.Ordinal);
    private int _marksVersion;
    private AccountLedger? _valuedLedger;
    private int _valuedMarksVersion;
    private Valuation? _valuation;

    // Why the account cannot be valued at marks it has (its amounts overflow a decimal); null when it can, or lacks a mark.
    private string? _valuationError;
    private readonly Queue<DateTimeOffset> _recentSubmits = new();

    // The submit window's wall-clock steps: its submits are moved with them (AlignSubmitsToClock).
    private readonly WallClockStepWatch _submitsClock = new(time);

    // Per-second counts (BrokerOutcomeWindow) since the last report: a few entries, scanned on every fill.
    private readonly List<BrokerOutcome> _brokerOutcomes = [];
    private readonly List<AccountEvent> _unpublished = [];
    private readonly Lock _breakerLock = new();
    private readonly List<BreakerSnapshot> _breakerNotices = [];
    private BreakerSnapshot _accountBreaker = InitialBreaker("account");
    private BreakerSnapshot _globalBreaker = InitialBreaker(BreakerKeys.Global);
    private IBrokerClient? _client;
    private string? _clientError;
    private IFeeModel? _fees;
    private IAsyncStream<AccountEvent>? _events;
    private AccountHistoryStore? _store;
    private IGrainStorage? _storage;
    private readonly GrainState<AccountSettings> _settings = new(new AccountSettings());

    /// <summary>
    /// Changes are made that no write holds yet, on purpose (see SubmitToBrokerAsync) or left by a signal that failed after
    /// it rolled the day (SignalAsync); a persist clears it.
    /// </summary>
    private bool _persistDeferred;

    /// <summary>A persist started and did not finish (its write failed): the signal tick tries again.</summary>
    private bool _persistIncomplete;

    /// <summary>The signal reports failing in a row: warned of once, the repeats at Debug, the count when one goes through.</summary>
    private FailureStreak? _signalFailures;

    /// <summary>Ticks that could not report P&amp;L and equity to the breaker, in a row (readiness shows it); null while they can.</summary>
    private BreakerSignalOutages.BreakerSignalOutage? _signalOutage;

    /// <summary>Signal reports the breaker took in this activation: a tick that failed after its own went through missed nothing.</summary>
    private int _signalReports;

    /// <summary>
    /// The newest journal entry written: the journal is read up to it only, since entries after it (a deferred acceptance's,
    /// a failed write's) are lost in a crash and their sequences given to other entries, which a reader resuming after them
    /// would skip.
    /// </summary>
    private long _storedJournalSequence;

    /// <summary>
    /// Orders (placements, or replacements of a replace) whose write failed, so their submit was never tried: known for
    /// certain while the activation lives (after a restart reconciliation treats them as ambiguous submits). Null until the
    /// first such failure.
    /// </summary>
    private HashSet<string>? _unsentOrders;

    /// <summary>
    /// The in-flight grace of orders that wait for the broker's answer, counted as elapsed time (see <see cref="InFlightFor"/>):
    /// when this activation created or first saw each one (a <see cref="TimeProvider.GetTimestamp"/>) and how long it had
    /// been in flight then. Not stored: the next activation starts again from the order's stored time.
    /// </summary>
    private readonly Dictionary<string, (long SeenAt, TimeSpan AgeThen)> _inFlightClocks = new(StringComparer.Ordinal);

    private string AccountId => this.GetPrimaryKeyString();

    private AccountState S => state.State;

    private AccountLedger Ledger
    {
        get => S.Ledger ?? throw new InvalidOperationException("The account is not open.");
        set => S.Ledger = value;
    }

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _storage = ServiceProvider.GetRequiredKeyedService<IGrainStorage>(GrainStorageNames.Default);
        await LoadSettingsAsync(cancellationToken);
        _store = new AccountHistoryStore(_storage, GrainId, _options);
        var submits = new List<DateTimeOffset>();
        await _store.LoadAsync(S, _history, submits, cancellationToken);
        _storedJournalSequence = S.LastJournalSequence;
        _lastExecutionAtActivation = S.LastExecutionAt;
        if (S.Ledger is not null)
        {
            // Before any fill is booked (the stream's replay below), so the fill carries on the trade started here.
            TradeBook.StartHeldUnfollowed(S.Trades, S.Ledger.Positions.Values);
            ReleaseExitsReservationsWithoutWorkingExits();
        }

        // The submit rate counts the submits of the last window, also those made before a restart or an idle collection.
        // Stored wall times are all there is across a restart; one ahead of the clock (set back since) counts as made now.
        var readAt = _submitsClock.Restart();
        var windowStart = readAt - Settings.RiskLimits.SubmitWindow;
        foreach (var submitted in submits)
        {
            if (submitted > windowStart)
            {
                _recentSubmits.Enqueue(submitted < readAt ? submitted : readAt);
            }
        }

        _events = this.GetStreamProvider(StreamNames.MemoryProvider).GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, AccountId));
        await ApplyPendingTransfersAsync();
        var fills = this.GetStreamProvider(StreamNames.DurableProvider).GetStream<ExecutionReport>(StreamId.Create(StreamNames.Fills, AccountId));
        await fills.SubscribeAsync(OnReportAsync);
        if (S.IsOpen)
        {
            await ConnectAsync(cancellationToken);
            await ListAsync();
            await RollDayBeforeBookingAsync();
        }

        RegisterGrainTimer(SignalTickAsync, _options.SignalInterval, _options.SignalInterval);
        RegisterGrainTimer(ReconcileTickAsync, TimeSpan.Zero, _options.ReconcileInterval);
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Its ticks stop here, as any idle account's do: readiness counts the accounts still trying.
        EndSignalOutage();
        if (_persistDeferred || _persistIncomplete)
        {
            await PersistAsync();
            if (_persistDeferred)
            {
                // The write rejected orders whose placement's write had failed (RejectUnsentOrders): stored before the end.
                await PersistAsync();
            }
        }
    }

    public async Task<AccountCommandResult> OpenAsync(OpenAccount command)
    {
        ArgumentNullException.ThrowIfNull(command);
        var invalid = Validate(command);
        if (invalid is not null)
        {
            return invalid;
        }

        if (S.IsOpen)
        {
            if (!SameSettings(command))
            {
                return AccountCommandResult.Fail(AccountErrorCodes.AlreadyOpen, $"Account {AccountId} is already open with other settings.");
            }

            // The open that stored the account can have failed before its breaker stored the policy: the retry gives it,
            // or the breaker would judge by another policy than the one the account decides on (ReportSignalsAfterFillAsync).
            if (await Breaker.GetPolicyAsync() != command.BreakerPolicy)
            {
                var retried = await Breaker.SetPolicyAsync(command.BreakerPolicy);
                if (!retried.Succeeded)
                {
                    return AccountCommandResult.Fail(AccountErrorCodes.Invalid, retried.Message ?? "The breaker policy was refused.");
                }
            }

            return AccountCommandResult.AlreadyOpen;
        }

        await WriteSettingsAsync(new AccountSettings { FeeModel = command.FeeModel, RiskLimits = command.RiskLimits, BreakerPolicy = command.BreakerPolicy });
        var now = time.GetUtcNow();
        S.IsOpen = true;
        S.Name = command.Name;
        S.Currency = command.Currency;
        S.Broker = command.Broker;
        S.OpenedAt = now;
        S.Ledger = AccountLedger.Open(AccountId, command.AccountType, command.Cash).StartDay(command.Cash);
        S.TradingDay = TradingDate(now);
        S.DayStart = DayStartAt(now);
        await PersistAsync();
        await ConnectAsync(CancellationToken.None);
        if (_persistDeferred)
        {
            // The breaker versions the events start from (read by ConnectAsync).
            await PersistAsync();
        }

        await ListAsync();
        var policy = await Breaker.SetPolicyAsync(command.BreakerPolicy);
        if (!policy.Succeeded)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.Invalid, policy.Message ?? "The breaker policy was refused.");
        }

        AccountLog.Opened(logger, AccountId, command.Broker, command.Cash, command.Currency);
        return _clientError is null ? AccountCommandResult.Ok : AccountCommandResult.Fail(AccountErrorCodes.BrokerUnavailable, _clientError);
    }

    /// <summary>
    /// Puts the account in the account list (a no-op when it is there as it is). The list serves GET /api/accounts only, so
    /// a failure is logged and the next activation tries again, rather than failing the account.
    /// </summary>
    private async Task ListAsync()
    {
        try
        {
            var listed = await GrainFactory.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Default)
                .AddAsync(new AccountListing(AccountId, S.Name ?? AccountId, S.Currency, S.Broker, S.OpenedAt));
            if (!listed)
            {
                AccountLog.NotListed(logger, AccountId, "the account list is full");
            }
        }
        catch (Exception ex) when (ex is not OutOfMemoryException)
        {
            AccountLog.NotListed(logger, AccountId, ex.Message);
        }
    }

    public async Task<AccountSnapshot?> GetSnapshotAsync()
    {
        if (!S.IsOpen)
        {
            return null;
        }

        await RefreshMarksAsync(Ledger.Positions.Keys);
        return Snapshot();
    }

    public async Task<AccountSnapshot?> RefreshAsync()
    {
        if (!S.IsOpen)
        {
            return null;
        }

        await SignalAsync();
        return Snapshot();
    }

    public async Task<IReadOnlyList<AccountPosition>> GetPositionsAsync()
    {
        if (!S.IsOpen)
        {
            return [];
        }

        await RefreshMarksAsync(Ledger.Positions.Keys);
        return [.. Ledger.Positions.Values.OrderBy(p => p.Symbol, StringComparer.Ordinal).Select(ToView)];
    }

    public Task<RiskLimits?> GetRiskLimitsAsync() => Task.FromResult(S.IsOpen ? Settings.RiskLimits : null);

    public async Task<AccountCommandResult> SetRiskLimitsAsync(RiskLimits limits, RiskLimits? expected = null)
    {
        ArgumentNullException.ThrowIfNull(limits);
        if (!S.IsOpen)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        if (expected is not null && expected != Settings.RiskLimits)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.SettingsChanged, $"The risk limits of account {AccountId} were changed meanwhile.");
        }

        var errors = limits.Validate();
        if (errors.Count > 0)
        {
            return AccountCommandResult.Fail(RiskReasonCodes.LimitsInvalid, string.Join(" ", errors.Select(e => e.Message)));
        }

        await WriteSettingsAsync(Settings with { RiskLimits = limits });
        await PersistAsync();
        return AccountCommandResult.Ok;
    }

    public Task<BreakerPolicy?> GetBreakerPolicyAsync() => Task.FromResult(S.IsOpen ? Settings.BreakerPolicy : null);

    public async Task<AccountCommandResult> SetBreakerPolicyAsync(BreakerPolicy policy, BreakerPolicy? expected = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        if (!S.IsOpen)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        if (expected is not null && expected != Settings.BreakerPolicy)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.SettingsChanged, $"The breaker policy of account {AccountId} was changed meanwhile.");
        }

        // The breaker first: it judges on the policy. The account's copy only decides whether a fill reports at once, and
        // a retry after a failed write below sets both again.
        var stored = await Breaker.SetPolicyAsync(policy);
        if (!stored.Succeeded)
        {
            return AccountCommandResult.Fail(stored.ErrorCode ?? BreakerErrorCodes.PolicyInvalid, stored.Message ?? "The breaker policy was refused.");
        }

        // The settings are a record of their own; the core record changes only with what the signals below change, and
        // SignalAsync writes it then.
        await WriteSettingsAsync(Settings with { BreakerPolicy = policy });

        // Judged now, so the answer tells the truth: a limit lowered below today's loss has tripped when it returns.
        await SignalAsync();
        return AccountCommandResult.Ok;
    }

    public Task OnBreakerChangedAsync(BreakerSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        lock (_breakerLock)
        {
            if (snapshot.BreakerId == BreakerKeys.Global)
            {
                if (snapshot.Version > _globalBreaker.Version)
                {
                    _globalBreaker = snapshot;
                    _breakerNotices.Add(snapshot);
                }
            }
            else if (snapshot.Version > _accountBreaker.Version)
            {
                _accountBreaker = snapshot;
                _breakerNotices.Add(snapshot);
            }
        }

        return Task.CompletedTask;
    }

    private IBreakerGrain Breaker => GrainFactory.GetGrain<IBreakerGrain>(AccountId);

    private AccountSettings Settings => _settings.State;

    /// <summary>
    /// Reads the "settings" record. An open account without one was stored by the older layout, with the settings in the
    /// core record: they are moved to their own record, and the next core write leaves them out.
    /// </summary>
    private async Task LoadSettingsAsync(CancellationToken cancellationToken)
    {
        await _storage!.ReadStateAsync(SettingsName, GrainId, _settings, cancellationToken);
        if (!_settings.RecordExists && S.IsOpen)
        {
            _settings.State = new AccountSettings
            {
                FeeModel = S.FeeModel ?? FeeModelSpec.Default,
                RiskLimits = S.RiskLimits ?? RiskLimits.Default,
                BreakerPolicy = S.BreakerPolicy ?? BreakerPolicy.Default,
            };
            await _storage.WriteStateAsync(SettingsName, GrainId, _settings, cancellationToken);
        }

        S.FeeModel = null;
        S.RiskLimits = null;
        S.BreakerPolicy = null;
    }

    /// <summary>Settings are written before the core record that relies on them (an open account always has its settings record).</summary>
    private async Task WriteSettingsAsync(AccountSettings settings)
    {
        _settings.State = settings;
        await _storage!.WriteStateAsync(SettingsName, GrainId, _settings);
    }

    private TradingState EffectiveState
    {
        get
        {
            lock (_breakerLock)
            {
                return (TradingState)Math.Max((int)_accountBreaker.State, (int)_globalBreaker.State);
            }
        }
    }

    private static BreakerSnapshot InitialBreaker(string id) => new() { BreakerId = id, State = TradingState.Active, Version = -1 };

    private async Task ConnectAsync(CancellationToken cancellationToken)
    {
        _fees = FeeModelFactory.Create(Settings.FeeModel).GetValueOrThrow();
        try
        {
            _client = brokers.GetClient(AccountId, S.Broker);
            await brokers.ConnectAsync(AccountId, S.Broker, new BrokerAccountSettings(Settings.FeeModel), cancellationToken);
            _clientError = null;
        }
        catch (BrokerNotAvailableException ex)
        {
            _client = null;
            _clientError = ex.Message;
            AccountLog.BrokerUnavailable(logger, AccountId, S.Broker, ex.Message);
        }

        var own = await Breaker.GetStateAsync();
        var global = await GrainFactory.GetGrain<IBreakerGrain>(BreakerKeys.Global).RegisterListenerAsync(AccountId);
        await OnBreakerChangedAsync(own);
        await OnBreakerChangedAsync(global);
        lock (_breakerLock)
        {
            // A change the events have not recorded (made while the account was not active, often the very notice that
            // woke it) stays a notice, so it is recorded as one that reached an active account. A record without the
            // versions (just opened, or of the older layout) takes the current states as recorded, and is written for them.
            if (S.AccountBreakerVersion is null || S.GlobalBreakerVersion is null)
            {
                S.AccountBreakerVersion ??= own.Version;
                S.GlobalBreakerVersion ??= global.Version;
                _persistDeferred = true;
            }

            _breakerNotices.RemoveAll(n => n.Version <= (n.BreakerId == BreakerKeys.Global ? S.GlobalBreakerVersion : S.AccountBreakerVersion));
        }
    }

    private AccountCommandResult? Validate(OpenAccount command)
    {
        var problems = new List<string>();
        if (string.Equals(AccountId, BreakerKeys.Global, StringComparison.OrdinalIgnoreCase))
        {
            // The account's breaker is the breaker with its key: this one would be the kill switch of every account.
            problems.Add($"The account id {AccountId} is reserved for the global kill switch.");
        }

        if (command.Cash < 0m)
        {
            problems.Add("Cash must not be negative.");
        }
        else if (command.Cash > CashTransferRules.MaxCash)
        {
            // The gateway's bound again, for a caller behind it: no deposit may take the cash past it either.
            problems.Add($"Cash must be at most {CashTransferRules.MaxCashText}.");
        }

        if (command.Currency is not { Length: 3 } || !command.Currency.All(char.IsAsciiLetterUpper))
        {
            problems.Add("Currency must be a three-letter ISO code such as USD.");
        }

        if (!Enum.IsDefined(command.AccountType))
        {
            problems.Add($"Unknown account type {command.AccountType}.");
        }

        problems.AddRange(command.FeeModel.Validate().Select(e => e.Message));
        problems.AddRange(command.RiskLimits.Validate().Select(e => e.Message));
        problems.AddRange(command.BreakerPolicy.Validate().Select(e => e.Message));
        if (problems.Count > 0)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.Invalid, string.Join(" ", problems));
        }

        if (brokers.Refusal(AccountId, command.Broker) is { } refusal)
        {
            return AccountCommandResult.Fail(AccountErrorCodes.BrokerUnavailable, refusal);
        }

        return null;
    }

    private bool SameSettings(OpenAccount command) =>
        S.Currency == command.Currency && S.Broker == command.Broker && Settings.FeeModel == command.FeeModel
        && Settings.RiskLimits == command.RiskLimits && Settings.BreakerPolicy == command.BreakerPolicy && Ledger.AccountType == command.AccountType;

    private async Task RefreshMarksAsync(IEnumerable<string> symbols)
    {
        var list = symbols.Distinct(StringComparer.Ordinal).ToList();
        if (list.Count == 0)
        {
            return;
        }

        var quotes = await Task.WhenAll(list.Select(s => GrainFactory.GetGrain<ISymbolGrain>(s).GetQuoteAsync()));
        foreach (var quote in quotes)
        {
            RememberMark(quote);
        }
    }

    private Task RefreshOpenMarksAsync() => RefreshMarksAsync(Ledger.Positions.Values.Where(p => !p.IsFlat).Select(p => p.Symbol));

    /// <summary>
    /// Marks for the open positions that have none: an account a restart or an idle collection woke has no marks until
    /// its signal tick, and a risk check without them denies every order as INPUT_MISSING. A loop rather than a query:
    /// every placement runs it, and once the account has its marks it allocates nothing.
    /// </summary>
    private Task RefreshMissingMarksAsync()
    {
        List<string>? missing = null;
        foreach (var (symbol, position) in Ledger.Positions)
        {
            if (!position.IsFlat && !_marks.ContainsKey(symbol))
            {
                (missing ??= []).Add(symbol);
            }
        }

        return missing is null ? Task.CompletedTask : RefreshMarksAsync(missing);
    }

    private void RememberMark(SymbolQuote quote)
    {
        if (PositionView.MarkOf(quote) is { } mark)
        {
            SetMark(quote.Symbol, mark);
        }
    }

    /// <summary>Every change of <see cref="_marks"/> goes through here (or <see cref="AddMark"/>), so the cached valuation knows it.</summary>
    private void SetMark(string symbol, decimal price)
    {
        ref var mark = ref CollectionsMarshal.GetValueRefOrAddDefault(_marks, symbol, out var existed);
        if (!existed || mark != price || mark.Scale != price.Scale)
        {
            mark = price;
            _marksVersion++;
        }
    }

    private void AddMark(string symbol, decimal price)
    {
        if (_marks.TryAdd(symbol, price))
        {
            _marksVersion++;
        }
    }

    /// <summary>
    /// The ledger marked to market, or null when a position has no usable mark. The ledger is immutable and the marks
    /// carry a version, so the last result stands until either changes: an order values the account for its risk check
    /// and again after its fill, and the next order usually finds the same ledger and marks.
    /// </summary>
    private Valuation? Value()
    {
        var ledger = Ledger;
        if (!ReferenceEquals(ledger, _valuedLedger) || _valuedMarksVersion != _marksVersion)
        {
            var valued = ledger.Value(_marks);
            _valuation = valued.IsSuccess ? valued.Value : null;
            _valuationError = ValuationError(valued);
            _valuedLedger = ledger;
            _valuedMarksVersion = _marksVersion;
        }

        return _valuation;
    }

    /// <summary>The message of a valuation that failed for a reason other than a missing mark (those are listed apart).</summary>
    private static string? ValuationError(Result<Valuation> valued) =>
        valued is { IsSuccess: false, Error: { Code: not LedgerErrorCodes.MarkMissing } error } ? error.Message : null;

    private AccountSnapshot Snapshot()
    {
        var ledger = Ledger;
        var valuation = Value();
        BreakerSnapshot own, global;
        lock (_breakerLock)
        {
            own = _accountBreaker;
            global = _globalBreaker;
        }

        return new AccountSnapshot
        {
            AccountId = AccountId,
            Name = S.Name,
            Currency = S.Currency,
            Broker = S.Broker,
            AccountType = ledger.AccountType,
            Cash = ledger.Cash,
            Equity = valuation?.Equity,
            BuyingPower = valuation?.BuyingPower,
            Reserved = ledger.ReservedTotal,
            LongMarketValue = valuation?.LongMarketValue,
            ShortMarketValue = valuation?.ShortMarketValue,
            RealizedPnl = ledger.RealizedPnlTotal,
            UnrealizedPnl = valuation?.UnrealizedPnl,
            DayPnl = valuation?.DayPnl,
            Fees = ledger.FeesTotal,
            NetRealizedPnl = ledger.NetRealizedPnl,
            HighWaterMark = valuation?.HighWaterMark ?? ledger.HighWaterMark,
            TradingState = (TradingState)Math.Max((int)own.State, (int)global.State),
            AccountBreakerState = own.State,
            GlobalBreakerState = global.State,
            OpenOrderCount = S.WorkingOrders.Count,
            InFlightOrderCount = S.WorkingOrders.Values.Count(o => o.InFlight),
            LastEventSequence = S.LastEventSequence,
            MissingMarks = [.. ledger.Positions.Values.Where(p => !p.IsFlat && !_marks.ContainsKey(p.Symbol)).Select(p => p.Symbol)],
            ValuationError = valuation is null ? _valuationError : null,
            OpenedAt = S.OpenedAt,
            AsOf = time.GetUtcNow(),
        };
    }

    private AccountPosition ToView(Position position) =>
        PositionView.Of(position, _marks.TryGetValue(position.Symbol, out var mark) ? mark : null);
}

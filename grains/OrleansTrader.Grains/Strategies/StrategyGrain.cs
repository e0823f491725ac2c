using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Diagnostics;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// Hosts one domain strategy (key "accountId/strategyId"). While running it consumes "bars" and "ticks" of its symbols and
/// its account's events (fills and order updates of its own orders, breaker changes), sends the strategy's intents to the
/// account, and withholds them while the account's trading state forbids them (HALTED: all; REDUCING: all but reducing
/// ones, and a reversal is cut to the part that closes the position). A durable reminder brings a running strategy back after a restart; its snapshot resumes it.
/// </summary>
internal sealed partial class StrategyGrain(
    [PersistentState("strategy")] IPersistentState<StrategyGrainState> state,
    TimeProvider time,
    StrategyRegistry strategies,
    LatestBarsReader barsReader,
    TradingEnvironment environment,
    GrainsMetrics metrics,
    ILogger<StrategyGrain> logger) : Grain, IStrategyGrain, IRemindable
{
    internal const string KeepAliveReminder = "keep-running";
    private static readonly TimeSpan SaveInterval = TimeSpan.FromSeconds(5);

    // How long a symbol's intents are refused here after the account refused one for its quote, when no new quote comes.
    private static readonly TimeSpan QuoteRefusalHold = TimeSpan.FromMinutes(1);

    // How long a symbol's intents of a side are refused here after the account refused one as a short: doubled by each
    // refusal after a hold (as ProtectiveStop backs off), up to the longest; a fill of the strategy in the symbol ends it.
    private static readonly TimeSpan FirstShortRefusalHold = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan LongestShortRefusalHold = TimeSpan.FromHours(1);

    // How long intents are refused here after a MARKET_CLOSED refusal when the calendar cannot say when the market opens.
    private static readonly TimeSpan MarketClosedFallbackHold = TimeSpan.FromMinutes(1);
    private readonly List<StreamSubscriptionHandle<Bar>> _barSubscriptions = [];
    private readonly List<StreamSubscriptionHandle<MarketTick>> _tickSubscriptions = [];
    private StreamSubscriptionHandle<AccountEvent>? _eventSubscription;
    private IStrategy? _strategy;
    private StrategyContext? _context;
    private TradingState _accountState;
    private TradingState _globalState;

    // The breaker versions the held states came from: an older BreakerChanged (replayed by the catch-up, or recorded late
    // by the account) must not overwrite a newer state read from the breaker.
    private long _accountVersion;
    private long _globalVersion;

    // While a resync replays the account's history: the position it rewound from. Fills up to it that the strategy was
    // already told of (a restored history repeats them) rebuild its position without reaching it again.
    private long _replayingThrough;

    // The sequence of the account event the stream gave last (null until one came since the strategy started): the stream
    // gives them in order, so one at or below the followed position but past this one is an event a catch-up read first.
    private long? _streamedThrough;

    // Symbols whose order the account refused for a stale or missing quote, with the refusal: the strategy's next intents
    // in them are refused here until a quote of the symbol arrives (or QuoteRefusalHold passes), not sent to be refused again.
    private readonly Dictionary<string, QuoteRefusal> _quoteRefusals = new(StringComparer.Ordinal);

    // How many of a symbol's orders in a row the account refused for its quote: a symbol whose data stopped for hours had
    // one refused after each minute's hold, each a warning. The first warns; a quote of it or an order taken in it ends the run.
    private readonly Dictionary<string, int> _quoteRefusalRuns = new(StringComparer.Ordinal);

    // Symbols whose order the account refused as a short (the strategy counts a position the account no longer holds:
    // closed through the account, docs/strategies.md), with the refusal: its next intents of that side in the symbol are
    // refused here for the refusal's hold, not sent to be refused, journaled and logged on every event.
    private readonly Dictionary<string, ShortRefusal> _shortRefusals = new(StringComparer.Ordinal);

    // The account's last MARKET_CLOSED refusal while the market is still closed: the strategy's next intents are refused
    // here until the regular open, not sent to be refused, journaled and logged on every print of the extended session.
    private MarketClosedRefusal? _marketClosedRefusal;

    // Past the calendar's years each minute's hold ends in an order sent and refused again: how many such refusals in a row,
    // so that the warning is logged for the first of them and not once a minute for as long as the build runs.
    private int _nextOpenUnknownRefusals;

    // While intents are withheld for a tripped breaker: the state they are withheld for and how many, so that the warning is
    // logged once when it begins (not on every bar for hours) and the count when it ends.
    private Withholding? _withholding;

    // Cancels of orders that close the strategy's position, asked for while HALTED: sent once trading is no longer HALTED.
    // Stored with the state (HeldCancels), so a restart during the halt does not lose them.
    private readonly HashSet<string> _heldCancels = new(StringComparer.Ordinal);

    // Cancels the account did not take (its call threw, it refused, or the venue did and the order works on): the strategy
    // is not told, and one that asked once believed the order withdrawn. Asked for again while the order is open, on the
    // ProtectiveStop's schedule from when each was last asked for. Stored with the state (CancelRetries), as HeldCancels are.
    private readonly Dictionary<string, CancelRetry> _cancelRetries = new(StringComparer.Ordinal);

    // While the start replays the account's history before OnStart: the strategy's callbacks for it, given once it has started.
    private List<Action>? _deferredCallbacks;
    private bool _dirty;

    /// <summary>A stop halted the strategy and its write failed: the stop's retry, the save timer or the deactivation stores it.</summary>
    private bool _stopUnstored;

    // While OnActivateAsync runs: its catch-up does not roll the day, since valuing the positions calls their symbol
    // grains, and the call that started the activation may be a bar's delivery from one (a cycle, DeadlockException).
    private bool _activating;
    private string _accountId = string.Empty;
    private string _strategyId = string.Empty;

    private StrategyGrainState S => state.State;

    private IAccountGrain Account => GrainFactory.GetGrain<IAccountGrain>(_accountId);

    private IStrategyDirectoryGrain StrategyDirectory => GrainFactory.GetGrain<IStrategyDirectoryGrain>(_accountId);

    private string OrderPrefix => _strategyId + "-";

    /// <summary>The origin the strategy's orders are placed with.</summary>
    private string Origin => "strategy:" + _strategyId;

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        StrategyKey.TryParse(this.GetPrimaryKeyString(), out _accountId, out _strategyId);
        RegisterGrainTimer(SaveIfDirtyAsync, SaveInterval, SaveInterval);
        _heldCancels.UnionWith(S.HeldCancels);

        // Their waits run on the clock from this activation: a timestamp of the last one means nothing to this process.
        foreach (var retry in S.CancelRetries ?? [])
        {
            _cancelRetries[retry.ClientOrderId] = new CancelRetry(retry.AskedAt, time.GetTimestamp(), retry.Retries);
        }

        if (S.Exists && S.Running)
        {
            _activating = true;
            try
            {
                await RunAsync();
            }
            finally
            {
                _activating = false;
            }
        }
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if ((_dirty || _stopUnstored) && S.Exists)
        {
            Capture();
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task<StrategyCommandResult> CreateAsync(CreateStrategy command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (_accountId.Length == 0)
        {
            return Fail(StrategyErrorCodes.InvalidKey, "Strategy keys are \"accountId/strategyId\".");
        }

        if (S.Exists)
        {
            return Fail(StrategyErrorCodes.AlreadyExists, $"Strategy {_strategyId} already exists in account {_accountId}.");
        }

        var refusal = Build(command.Kind, command.Symbols, command.Parameters)
            ?? (command.BarInterval != TimeSpan.FromMinutes(1) && command.BarInterval != TimeSpan.FromSeconds(1)
                ? Fail(StrategyErrorCodes.InvalidParameters, "The bar interval is one minute or one second.")
                : null);
        if (refusal is not null)
        {
            // The gateway reserves the id's place in the account's directory before it asks. The place is given back here,
            // in this strategy's turn: given back by the gateway after the answer, it could come after a create of the same
            // id that succeeded meanwhile, and leave that strategy out of the account's list.
            await StrategyDirectory.RemoveAsync(_strategyId);
            return refusal;
        }

        var now = time.GetUtcNow();
        var sequence = Math.Max(1, S.NextSequence);
        state.State = new StrategyGrainState
        {
            Exists = true,
            NextSequence = sequence,
            FirstSequence = sequence,
            Kind = command.Kind,
            BarInterval = command.BarInterval,
            Symbols = [.. command.Symbols],
            Parameters = Stored(command.Parameters),
            CreatedAt = now,
            UpdatedAt = now,
            DayStart = new StrategyDayStart { Date = TradingDate(now), StartedAt = now, RealizedPnl = 0m, Fees = 0m, UnrealizedPnl = 0m, Fills = 0 },

            // Followed from its creation on: a stop and a start later catch up on what its orders did meanwhile.
            LastAccountEventSequence = (await Account.GetEventsAsync(long.MaxValue - 1, 0)).LastSequence,
        };
        await Days.ClearAsync();
        await state.WriteStateAsync();
        await StrategyDirectory.AddAsync(_strategyId);
        StrategyLog.Created(logger, _accountId, _strategyId, command.Kind, string.Join(",", command.Symbols));
        return command.Start ? await StartAsync() : await OkAsync();
    }

    public async Task<StrategyCommandResult> StartAsync()
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (!S.Running)
        {
            // The fills its orders took while it was stopped go into the days they were made, and today's day is open before
            // the catch-up: it applies what it reads into the open day, and only tells the strategy of the fills booked here.
            await BookStoppedFillsAsync();
            await RollDayAsync();
            S.Running = true;
            S.UpdatedAt = time.GetUtcNow();
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Not stored, so not started: left running in memory, the retry found it so and answered it running while
                // nothing ran, and the next activation had it stopped.
                S.Running = false;
                throw;
            }

            _stopUnstored = false;
            await this.RegisterOrUpdateReminder(KeepAliveReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
            await RunOrStopAsync();

            // A strategy that did not start (its stored parameters refused, its snapshot unreadable, its OnStart thrown) has
            // said why in its own line and lastError: "started" after it told the log the opposite.
            if (S.Running)
            {
                StrategyLog.Started(logger, _accountId, _strategyId);
            }
        }

        return await OkAsync();
    }

    public async Task<StrategyCommandResult> StopAsync()
    {
        if (!S.Exists)
        {
            return NotFound();
        }

        if (S.Running)
        {
            await HaltAsync();
            S.Running = false;
            S.UpdatedAt = time.GetUtcNow();
            _stopUnstored = true;
        }

        // A stop whose write failed has halted the strategy all the same: its retry writes it. Answered at once, storage
        // still said running, and the next activation (a restart, an idle collection) ran the strategy again.
        if (_stopUnstored)
        {
            await state.WriteStateAsync();
            _stopUnstored = false;
            if (await this.GetReminder(KeepAliveReminder) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }

            StrategyLog.Stopped(logger, _accountId, _strategyId);
        }

        return await OkAsync();
    }

    public async Task<StrategyCommandResult> UpdateParametersAsync(IReadOnlyDictionary<string, string> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!S.Exists)
        {
            return NotFound();
        }

        if (Build(S.Kind, S.Symbols, parameters) is { } error)
        {
            return error;
        }

        var wasRunning = S.Running;
        if (wasRunning)
        {
            await HaltAsync();
        }

        var previous = (S.Parameters, S.Snapshot, S.CustomSnapshot, S.UpdatedAt);
        S.Parameters = Stored(parameters);
        S.Snapshot = null;
        S.CustomSnapshot = null;
        S.UpdatedAt = time.GetUtcNow();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Not stored, so not changed: the strategy resumes on its previous parameters from the snapshot the halt took.
            // Left as it was, it stayed halted while its status said running, and showed parameters the save timer could
            // store later, though the change had failed.
            (S.Parameters, S.Snapshot, S.CustomSnapshot, S.UpdatedAt) = previous;
            if (wasRunning)
            {
                await RunOrStopAsync();
            }

            throw;
        }

        if (wasRunning)
        {
            await RunOrStopAsync();
        }

        return await OkAsync();
    }

    public async Task<StrategyStatus?> GetStatusAsync() => S.Exists ? await StatusAsync() : null;

    public async Task<StrategyCommandResult> DeleteAsync()
    {
        if (!S.Exists)
        {
            // An entry left by a create that never reached its strategy goes; in this turn, for the reason CreateAsync gives.
            if (_accountId.Length > 0)
            {
                await StrategyDirectory.RemoveAsync(_strategyId);
            }

            return NotFound();
        }

        await StopAsync();
        var last = await StatusAsync();

        // The trades go first: a crash before the state is cleared leaves a strategy that can be deleted again.
        await TradeBook.ClearAsync(S.Trades);

        // A tombstone keeps the next order sequence: a strategy created again under this id continues it. Starting again
        // at 1 it asked for the deleted one's client order ids, which the account answers with those old orders as if
        // placed (a filled one left the new strategy waiting on an order that never moves).
        var deleting = state.State;
        state.State = new StrategyGrainState { NextSequence = S.NextSequence };
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // Still stored: gone in memory only, the retry answered 404 and took it out of the account's list, and the next
            // activation found it again, listed nowhere.
            state.State = deleting;
            throw;
        }

        _heldCancels.Clear();
        _cancelRetries.Clear();
        await Days.ClearAsync();
        await StrategyDirectory.RemoveAsync(_strategyId);
        DeactivateOnIdle();
        return new StrategyCommandResult(true, last with { Running = false });
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (!S.Exists || !S.Running)
        {
            if (await this.GetReminder(reminderName) is { } reminder)
            {
                await this.UnregisterReminder(reminder);
            }
        }
    }

    /// <summary>Validates kind, symbols and parameters through the registry of kinds, and a quantity against the symbols' instruments; null when the account can take its orders.</summary>
    private StrategyCommandResult? Build(string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters) =>
        !TryCreate(kind, symbols, parameters, out _, out var error) ? error
        : StrategyQuantityCheck.Refusal(environment, kind, symbols, parameters) is { } refusal ? Fail(StrategyErrorCodes.InvalidParameters, refusal)
        : null;

    private bool TryCreate(string kind, IReadOnlyList<string> symbols, IReadOnlyDictionary<string, string> parameters,
        out IStrategy? strategy, out StrategyCommandResult? error)
    {
        var built = StrategyFactory.TryCreate(strategies, kind, symbols, parameters, out strategy, out var code, out var message);
        error = built ? null : Fail(code!, message!);
        return built;
    }

    private async Task<StrategyCommandResult> OkAsync()
    {
        await BookStoppedFillsAsync();
        return new(true, await StatusAsync());
    }

    /// <summary>The status with the strategy's positions valued like the account's (a stopped one's with the fills its orders took since).</summary>
    private async Task<StrategyStatus> StatusAsync()
    {
        var positions = await ValuedPositionsAsync();
        var open = positions.Where(p => p.Quantity != 0m).ToList();
        return Status() with
        {
            Positions = positions,
            RealizedPnl = positions.Sum(p => p.RealizedPnl),
            FeesPaid = positions.Sum(p => p.FeesPaid),
            UnrealizedPnl = open.All(p => p.UnrealizedPnl is not null) ? open.Sum(p => p.UnrealizedPnl!.Value) : null,
        };
    }

    /// <summary>The strategy's own positions, by symbol, valued like the account's: last trade, else quote mid (null without either).</summary>
    private async Task<List<AccountPosition>> ValuedPositionsAsync() => await ValuedPositionsAsync(await CurrentPositionsAsync());

    private async Task<List<AccountPosition>> ValuedPositionsAsync(IReadOnlyCollection<Position> current)
    {
        var positions = new List<AccountPosition>(current.Count);
        foreach (var position in current.OrderBy(p => p.Symbol, StringComparer.Ordinal))
        {
            var mark = position.IsFlat ? null : PositionView.MarkOf(await GrainFactory.GetGrain<ISymbolGrain>(position.Symbol).GetQuoteAsync());
            positions.Add(PositionView.Of(position, mark));
        }

        return positions;
    }

    /// <summary>The parameters as the kinds read them, trimmed, so the status shows what the strategy was built from.</summary>
    private static Dictionary<string, string> Stored(IReadOnlyDictionary<string, string> parameters) =>
        parameters.ToDictionary(p => p.Key, p => p.Value?.Trim()!, StringComparer.Ordinal);

    private static StrategyCommandResult Fail(string code, string message) => new(false, null, code, message);

    private StrategyCommandResult NotFound() => Fail(StrategyErrorCodes.NotFound, $"No strategy {_strategyId} in account {_accountId}.");

    private StrategyStatus Status() => new()
    {
        AccountId = _accountId,
        StrategyId = _strategyId,
        Kind = S.Kind,
        Symbols = S.Symbols,
        Parameters = S.Parameters,
        BarInterval = S.BarInterval,
        Running = S.Running,
        BarsSeen = S.BarsSeen,
        TicksSeen = S.TicksSeen,
        IntentsSent = S.IntentsSent,
        IntentsDenied = S.IntentsDenied,
        IntentsSuppressed = S.IntentsSuppressed,
        IntentsCutToClose = S.IntentsCutToClose,
        LastError = S.LastError,
        WarmUp = S.WarmUp,
        CreatedAt = S.CreatedAt,
        UpdatedAt = S.UpdatedAt,
    };

    private async Task SaveIfDirtyAsync(CancellationToken cancellationToken)
    {
        // The day rolls here, in a turn of its own: valuing the positions asks their symbol grains, which a bar's delivery
        // (a call that came from a symbol grain) must not do.
        // A stopped strategy's orders may still fill: booked here, so a status query has few events left to read, and
        // before the day rolls, which closes at what they left it.
        await BookStoppedFillsAsync();
        if (S.Exists && (S.DayStart is not { } day || day.Date < Today()))
        {
            await RollDayAsync();
        }

        // A symbol with no data (its market closed, its feed halted) moves the strategy's time no more: a cancel whose wait
        // has passed on the clock is asked for here, or it waited for the next tick for as long as the symbol was quiet.
        if (_cancelRetries.Count > 0 && _context is not null && _cancelRetries.Values.Any(WaitPassed))
        {
            await DispatchAsync();
        }

        if ((_dirty || _stopUnstored) && S.Exists)
        {
            Capture();
            _dirty = false;
            await state.WriteStateAsync(cancellationToken);
            _stopUnstored = false;
        }
    }

    /// <summary>Copies the live strategy's snapshot and context into the persisted state.</summary>
    private void Capture()
    {
        if (_strategy is not null && _context is not null)
        {
            // Guarded like a handler: thrown on, a registered kind's GetState failed every stop, delete and parameter change,
            // and the write after a send. The previous snapshot is kept; the host's own part below is saved regardless.
            try
            {
                var snapshot = _strategy.GetState();
                if (strategies.IsCustom(S.Kind))
                {
                    S.CustomSnapshot = strategies.SerializeState(S.Kind, snapshot);
                }
                else
                {
                    S.Snapshot = snapshot;
                }
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                S.LastError = $"The snapshot of strategy kind \"{S.Kind}\" failed: {ex.Message}";
                CountAndLogFailure(ex);
            }

            S.NextSequence = _context.NextSequence;
            S.OpenOrders = [.. _context.OpenOrders];
        }

        S.HeldCancels = [.. _heldCancels];
        S.CancelRetries = _cancelRetries.Count == 0 ? null
            : [.. _cancelRetries.Select(r => new StrategyCancelRetry { ClientOrderId = r.Key, AskedAt = r.Value.AskedAt, Retries = r.Value.Retries })];
    }

    /// <summary>
    /// The account's refusal of an order for its quote (QUOTE_STALE or QUOTE_MISSING). <paramref name="At"/> is for people,
    /// <paramref name="HeldSince"/> (a <see cref="TimeProvider.GetTimestamp"/>) times the hold, so a wall-clock step neither
    /// ends it early nor holds it for the step.
    /// </summary>
    private sealed record QuoteRefusal(string ClientOrderId, string ReasonCode, string Message, DateTimeOffset At, long HeldSince);

    /// <summary>The trading state a tripped breaker withholds the strategy's intents for, and how many it has withheld.</summary>
    private sealed record Withholding(TradingState State, long Withheld);

    /// <summary>
    /// The account's refusal of an order as MARKET_CLOSED: held until the calendar's next open (<paramref name="Until"/>, a
    /// session time on the wall clock), or, past the calendar's years, for <paramref name="Hold"/> from
    /// <paramref name="HeldSince"/> (a <see cref="TimeProvider.GetTimestamp"/>), timed as <see cref="QuoteRefusal"/> is.
    /// </summary>
    private sealed record MarketClosedRefusal(string ClientOrderId, string Message, DateTimeOffset At, DateTimeOffset Until, long HeldSince, TimeSpan? Hold);

    /// <summary>The strategy's code threw: logged (5405) and counted by kind together, so that no site does one without the other.</summary>
    private void CountAndLogFailure(Exception exception)
    {
        metrics.StrategyFailed(S.Kind);
        StrategyLog.StrategyFailed(logger, exception, _accountId, _strategyId);
    }

    /// <summary>
    /// A cancel the account did not take: when it was last asked for, in the strategy's time and as a
    /// <see cref="TimeProvider.GetTimestamp"/> (<paramref name="AskedSince"/>), and how many times again.
    /// </summary>
    private sealed record CancelRetry(DateTimeOffset AskedAt, long AskedSince, int Retries);

    /// <summary>The account's refusal of an order as a short; timed as <see cref="QuoteRefusal"/> is.</summary>
    private sealed record ShortRefusal(string ClientOrderId, OrderSide Side, string Message, DateTimeOffset At, long HeldSince, int Count, TimeSpan Hold);
}

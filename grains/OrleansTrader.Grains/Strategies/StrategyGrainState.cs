using System.Text.Json.Serialization;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Trades;

namespace OrleansTrader.Grains.Strategies;

/// <summary>A strategy grain's persisted state: configuration, the domain strategy's snapshot and what it has seen.</summary>
internal sealed record StrategyGrainState
{
    public bool Exists { get; set; }

    public string Kind { get; set; } = string.Empty;

    public List<string> Symbols { get; set; } = [];

    public Dictionary<string, string> Parameters { get; set; } = new(StringComparer.Ordinal);

    public TimeSpan BarInterval { get; set; } = TimeSpan.FromMinutes(1);

    public bool Running { get; set; }

    /// <summary>The snapshot of a built-in kind; an <see cref="UnreadableSnapshot"/> when its stored JSON no longer reads.</summary>
    [JsonConverter(typeof(StoredSnapshotJsonConverter))]
    public StrategyState? Snapshot { get; set; }

    /// <summary>The snapshot of a registered kind, as JSON of its own type (see <see cref="StrategyRegistry"/>).</summary>
    public string? CustomSnapshot { get; set; }

    public long NextSequence { get; set; } = 1;

    /// <summary>
    /// The sequence of this incarnation's first order: a strategy deleted and created again under the same id continues
    /// the deleted one's sequence (kept in a tombstone), and the older orders' fills and updates are not its own.
    /// </summary>
    public long FirstSequence { get; set; } = 1;

    /// <summary>The strategy's own positions, from its own fills (the account may hold more).</summary>
    public Dictionary<string, Position> Positions { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The round trips of the strategy's own positions: the ones in progress and the count of closed ones.</summary>
    public TradeState Trades { get; set; } = new();

    public List<StrategyOrderView> OpenOrders { get; set; } = [];

    /// <summary>
    /// The account's order ids of this incarnation's orders that have not ended, with their sequence: a replacement the user
    /// names with a client order id of their own is known as the strategy's by the order it replaces.
    /// </summary>
    public Dictionary<string, long> WorkingOrderIds { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Client order ids the user gave replacements of this incarnation's orders, with the sequence of the order first placed.</summary>
    public Dictionary<string, long> RenamedReplacements { get; set; } = new(StringComparer.Ordinal);

    public long LastAccountEventSequence { get; set; }

    /// <summary>
    /// Client order ids whose cancel was asked for while HALTED and is held until trading is no longer HALTED (orders that
    /// close the strategy's position). Kept in memory only, they were lost by a restart during the halt: the order stayed
    /// once it lifted, and an exit waiting for its cancel never went.
    /// </summary>
    public List<string> HeldCancels { get; set; } = [];

    /// <summary>
    /// Cancels the account did not take, asked for again while their order is open (see StrategyGrain). Kept in memory
    /// only, they were lost by a restart or a deactivation before the next ask: the order rested on, though the strategy
    /// had asked to cancel it and does not ask again. Null while none waits, so that the record stores nothing for them.
    /// </summary>
    public List<StrategyCancelRetry>? CancelRetries { get; set; }

    /// <summary>
    /// While stopped: the account event through which the fills of the strategy's orders were booked into its positions,
    /// round trips and fill count (its status shows them), past <see cref="LastAccountEventSequence"/>. 0 when none were.
    /// </summary>
    public long FillsBookedThrough { get; set; }

    /// <summary>
    /// The execution ids of the fills booked while stopped: the start's catch-up tells the strategy of them without applying
    /// them again. By id, not by sequence: a fill the booking did not know as the strategy's (a replacement the user named
    /// while it was stopped) is applied at the start like any other.
    /// </summary>
    public HashSet<string> BookedExecutionIds { get; set; } = new(StringComparer.Ordinal);

    public long BarsSeen { get; set; }

    public long TicksSeen { get; set; }

    public long IntentsSent { get; set; }

    public long IntentsDenied { get; set; }

    public long IntentsSuppressed { get; set; }

    public long IntentsCutToClose { get; set; }

    public string? LastError { get; set; }

    public StrategyWarmUp? WarmUp { get; set; }

    /// <summary>Fills of the strategy's own orders applied so far.</summary>
    public long Fills { get; set; }

    /// <summary>
    /// The time of the newest fill the strategy was told of (null in records from before it was kept): a resync from a
    /// restored history tells it only of later ones. A reset account's new fills come after it.
    /// </summary>
    public DateTimeOffset? LastFillAt { get; set; }

    /// <summary>Where the current day started (null in records from before days were kept: the first bar starts one).</summary>
    public StrategyDayStart? DayStart { get; set; }

    public DateTimeOffset CreatedAt { get; set; }

    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Where a strategy's current day started: its totals then, which the day's figures are measured from.</summary>
internal sealed record StrategyDayStart
{
    public required DateOnly Date { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required decimal RealizedPnl { get; init; }

    public required decimal Fees { get; init; }

    public required decimal UnrealizedPnl { get; init; }

    public required long Fills { get; init; }
}

/// <summary>A cancel the account did not take: when it was last asked for (the strategy's time) and how many times again.</summary>
internal sealed record StrategyCancelRetry
{
    public required string ClientOrderId { get; init; }

    public required DateTimeOffset AskedAt { get; init; }

    public required int Retries { get; init; }
}

/// <summary>A strategy's closed days: its "days" record.</summary>
internal sealed record StrategyDays : ClosedDays<StrategyDay>;

using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.Strategies;

/// <summary>
/// A stopped strategy's bookkeeping. Its working orders stay at the account and may fill (docs/strategies.md): their fills go
/// into its positions, round trips and fill count, so its status, performance and trades show what it holds. The strategy
/// itself is told nothing and sends nothing until it starts again; then its start's catch-up tells it of each such fill
/// once, without applying it a second time (<see cref="StrategyGrainState.BookedExecutionIds"/>).
/// </summary>
internal sealed partial class StrategyGrain
{
    private const int EventPageSize = 1000;

    /// <summary>The account event through which the stopped strategy's fills are in its positions (followed or booked).</summary>
    private long BookedThrough => Math.Max(S.LastAccountEventSequence, S.FillsBookedThrough);

    /// <summary>The booked fills are told (a start caught up) or rebuilt with the rest (a rewind).</summary>
    private void ForgetBookedFills()
    {
        S.FillsBookedThrough = 0;
        S.BookedExecutionIds.Clear();
    }

    /// <summary>
    /// Books the fills of the stopped strategy's orders that the account recorded since it last looked, and saves them. Each
    /// goes into the day it was made: one made on a later date than the open day closes that day first, at what the fills
    /// before it left (as the save tick would have at midnight). Found all at once by a strategy idle past midnight, they
    /// otherwise all went into the day before.
    /// </summary>
    private async Task BookStoppedFillsAsync()
    {
        if (!S.Exists || S.Running)
        {
            return;
        }

        var from = BookedThrough;
        var fills = new List<AccountFill>();
        var through = await ReadStoppedFillsAsync(from, fills.Add);
        if (through == from)
        {
            return;
        }

        foreach (var fill in fills)
        {
            await RollDayBeforeFillAsync(fill);
            BookFill(fill, ExecutionOf(fill));
            S.BookedExecutionIds.Add(fill.ExecutionId);
            S.Fills++;
        }

        S.FillsBookedThrough = through;
        if (fills.Count > 0)
        {
            // Trades the fills closed are stored before the state that counts them, as the running strategy's are.
            await TradeBook.StoreClosedAsync();
            S.UpdatedAt = time.GetUtcNow();
            await state.WriteStateAsync();
        }
        else
        {
            _dirty = true;
        }
    }

    /// <summary>
    /// The stopped strategy's positions with the fills not booked yet (a status query is read-only and books nothing: it
    /// applies them to a copy). A running strategy's are its own, from the events it follows.
    /// </summary>
    private async Task<IReadOnlyCollection<Position>> CurrentPositionsAsync()
    {
        if (!S.Exists || S.Running)
        {
            return S.Positions.Values;
        }

        var positions = new Dictionary<string, Position>(S.Positions, StringComparer.Ordinal);
        await ReadStoppedFillsAsync(BookedThrough, fill =>
        {
            positions[fill.Symbol] = Applied(positions.TryGetValue(fill.Symbol, out var p) ? p : Position.Flat(fill.Symbol), fill).Position;
        });
        return positions.Values;
    }

    /// <summary>
    /// Gives the fills of the strategy's own orders in the account's events after <paramref name="from"/>, in order; returns
    /// the sequence read through. An account whose history ends before <paramref name="from"/> (its storage reset or
    /// restored) gives nothing: the start resyncs from it (<see cref="RewindAsync"/>).
    /// </summary>
    private async Task<long> ReadStoppedFillsAsync(long from, Action<AccountFill> fillOfMine)
    {
        var through = from;
        while (true)
        {
            var page = await Account.GetEventsAsync(through, EventPageSize);
            if (through > page.LastSequence)
            {
                return from;
            }

            foreach (var entry in page.Events)
            {
                through = entry.Sequence;
                if (entry is { Kind: AccountEventKind.Fill, Fill: { } fill } && Mine(fill.ClientOrderId, fill.Origin))
                {
                    fillOfMine(fill);
                }
            }

            if (page.Events.Count < EventPageSize)
            {
                return Math.Max(through, page.LastSequence);
            }
        }
    }

    /// <summary>A fill of the strategy's own order into its position and round trips; returns the position it leaves.</summary>
    private Position BookFill(AccountFill fill, Execution execution)
    {
        var before = S.Positions.TryGetValue(fill.Symbol, out var p) ? p : Position.Flat(fill.Symbol);
        var applied = Applied(before, fill);
        S.Positions[fill.Symbol] = applied.Position;
        TradeBook.Follow(S.Trades, before, applied, execution);
        return applied.Position;
    }

    private static PositionFill Applied(Position before, AccountFill fill) =>
        before.Apply(fill.Side == OrderSide.Buy ? fill.Quantity : -fill.Quantity, fill.Price, fill.Fee);

    private static Execution ExecutionOf(AccountFill fill) => new()
    {
        ExecutionId = fill.ExecutionId,
        OrderId = fill.OrderId,
        ClientOrderId = fill.ClientOrderId,
        Symbol = fill.Symbol,
        Side = fill.Side,
        Quantity = fill.Quantity,
        Price = fill.Price,
        Fee = fill.Fee,
        Timestamp = fill.Timestamp,
    };
}

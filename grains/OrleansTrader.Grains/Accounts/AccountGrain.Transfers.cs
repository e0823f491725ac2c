using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Accounts;

/// <summary>The account's cash transfers, newest last: its "transfers" record, written once per transfer.</summary>
internal sealed record AccountTransfers
{
    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public List<CashTransfer> Transfers { get; init => field = value ?? []; } = [];
}

/// <summary>
/// Cash into and out of a paper account. A transfer is stored in the "transfers" record before the core write that
/// applies it; a crash between the two (or a write that stored it and failed) leaves it past
/// <see cref="AccountState.LastTransferSequence"/>, and the next activation, transfer, signal tick or listing applies it. The record keeps the newest <see cref="TransfersKept"/>, which is also how far back a
/// repeated transfer id is recognized.
/// </summary>
internal sealed partial class AccountGrain
{
    public const int TransfersKept = 1000;

    private const string TransfersName = "transfers";

    private GrainState<AccountTransfers>? _transfers;

    /// <summary>
    /// A transfers write failed in this activation and may have stored its transfer all the same: the signal tick and the
    /// listing apply it if it did (listed unapplied, it showed cash that had not moved, until the next transfer or activation).
    /// </summary>
    private bool _transferUncertain;

    public async Task<CashTransferResult> TransferCashAsync(TransferCash command)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (!S.IsOpen)
        {
            return CashTransferResult.Fail(AccountErrorCodes.NotOpen, $"Account {AccountId} is not open.");
        }

        if (S.Broker != BrokerNames.Paper)
        {
            return CashTransferResult.Fail(AccountErrorCodes.TransfersNotSupported,
                $"Account {AccountId} trades through {S.Broker}: its cash moves at the broker, not here.");
        }

        if (Invalid(command) is { } invalid)
        {
            return invalid;
        }

        // A write that stored a transfer and still failed (its answer lost) left it unapplied: applied first, a retry under
        // its id answers a transfer made, and the next transfer does not take its sequence number.
        await ApplyPendingTransfersAsync();
        var transfers = await TransfersAsync();
        if (transfers.State.Transfers.Find(t => t.TransferId == command.TransferId) is { } earlier)
        {
            return earlier.Amount == command.Amount
                ? CashTransferResult.Made(earlier, existing: true)
                : CashTransferResult.Fail(AccountErrorCodes.TransferIdReused,
                    $"Transfer {command.TransferId} was made for {Domain.Money.Text(earlier.Amount)}; a new transfer needs a new id.");
        }

        // A transfer after midnight, before the tick rolled the day, belongs to the new day: booked first, it moved
        // yesterday's end equity and left today's start without it.
        await RollDayIfDateChangedAsync();

        // Valued at fresh marks: a margin withdrawal is bounded by the equity, and the high-water mark scales with it (an
        // account this call woke has no marks yet, and without them the mark would move by the amount instead).
        await RefreshOpenMarksAsync();
        if (command.Amount < 0m)
        {
            var withdrawable = Ledger.Withdrawable(Ledger.AccountType == Domain.Portfolio.AccountType.Margin ? Value() : null);
            if (-command.Amount > withdrawable)
            {
                // Down to the cent: the figure is one a withdrawal can ask for (a reservation or a fee can leave a fraction of a cent).
                var most = decimal.Round(withdrawable, 2, MidpointRounding.ToZero).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
                return CashTransferResult.Fail(AccountErrorCodes.InsufficientCash,
                    $"At most {most} can be withdrawn now: working orders hold their reservations, and a margin account keeps its positions' initial margin.");
            }
        }
        else if (Ledger.Cash + command.Amount > CashTransferRules.MaxCash)
        {
            // Each deposit was bounded alone, so many added up past what an account may open with (and the high-water mark's
            // scaling multiplies two such amounts, towards what a decimal holds).
            var most = decimal.Round(Math.Max(0m, CashTransferRules.MaxCash - Ledger.Cash), 2, MidpointRounding.ToZero).ToString("0.00", System.Globalization.CultureInfo.InvariantCulture);
            return CashTransferResult.Fail(AccountErrorCodes.CashLimit,
                $"At most {most} can be deposited now: an account holds at most {CashTransferRules.MaxCashText} in cash.");
        }

        var transfer = new CashTransfer
        {
            TransferId = command.TransferId,
            Amount = command.Amount,
            Note = command.Note,
            Sequence = S.LastTransferSequence + 1,
            At = time.GetUtcNow(),
            CashAfter = Ledger.Cash + command.Amount,
        };
        transfers.State.Transfers.Add(transfer);
        if (transfers.State.Transfers.Count > TransfersKept)
        {
            transfers.State.Transfers.RemoveRange(0, transfers.State.Transfers.Count - TransfersKept);
        }

        try
        {
            await _storage!.WriteStateAsync(TransfersName, GrainId, transfers);
        }
        catch
        {
            // Not applied, and perhaps not stored: the record is read again, so a retry under this id finds it only if it
            // was stored (a write that failed after it landed), and applies it then, as the next tick or listing does.
            _transfers = null;
            _transferUncertain = true;
            throw;
        }

        Apply(transfer);
        await PersistAsync();
        AccountLog.CashTransferred(logger, AccountId, transfer.TransferId, transfer.Amount, transfer.CashAfter);
        return CashTransferResult.Made(transfer, existing: false);
    }

    public async Task<IReadOnlyList<CashTransfer>> GetTransfersAsync()
    {
        if (!S.IsOpen)
        {
            return [];
        }

        await ApplyUncertainTransferAsync();
        return [.. Enumerable.Reverse((await TransfersAsync()).State.Transfers)];
    }

    /// <summary>After a transfers write that failed, applies what it stored all the same (a lost answer), if anything.</summary>
    private async Task ApplyUncertainTransferAsync()
    {
        if (_transferUncertain)
        {
            await ApplyPendingTransfersAsync();
        }
    }

    /// <summary>Applies the transfers stored without the core write that applies them (a crash between the two).</summary>
    private async Task ApplyPendingTransfersAsync()
    {
        if (!S.IsOpen)
        {
            return;
        }

        var transfers = await TransfersAsync();
        var pending = transfers.State.Transfers.Where(t => t.Sequence > S.LastTransferSequence).OrderBy(t => t.Sequence).ToList();
        if (pending.Count > 0)
        {
            // Valued at fresh marks, as TransferCashAsync values it: the activation has none yet, and without them the
            // high-water mark would move by the amount rather than scale with the equity.
            await RefreshOpenMarksAsync();
            pending = await RestateCashAfterAsync(transfers, pending);
        }

        foreach (var transfer in pending)
        {
            Apply(transfer);
        }

        _transferUncertain = false;

        if (pending.Count > 0)
        {
            await PersistAsync();
        }
    }

    /// <summary>
    /// Transfers applied late with the cash they leave now: a fill booked since one was stored moved the cash, and its stored
    /// cashAfter (the cash then, plus the amount) listed a balance the account never had. The record is written before they
    /// are applied, so a failed write applies nothing and the next try restates them again.
    /// </summary>
    private async Task<List<CashTransfer>> RestateCashAfterAsync(GrainState<AccountTransfers> transfers, List<CashTransfer> pending)
    {
        var cash = Ledger.Cash;
        var restated = new List<CashTransfer>(pending.Count);
        foreach (var transfer in pending)
        {
            cash += transfer.Amount;
            restated.Add(transfer.CashAfter == cash ? transfer : transfer with { CashAfter = cash });
        }

        if (restated.SequenceEqual(pending))
        {
            return pending;
        }

        var list = transfers.State.Transfers;
        foreach (var transfer in restated)
        {
            list[list.FindIndex(t => t.Sequence == transfer.Sequence)] = transfer;
        }

        try
        {
            await _storage!.WriteStateAsync(TransfersName, GrainId, transfers);
        }
        catch
        {
            // Perhaps stored, perhaps not: read again next time, and restated again if not.
            _transfers = null;
            throw;
        }

        return restated;
    }

    /// <summary>The cash moves, and with it the day's start and the high-water mark: the day's P&amp;L and the drawdown do not see it.</summary>
    private void Apply(CashTransfer transfer)
    {
        // An equity above the mark (a gain no valuation has marked yet) is the peak the mark scales from, not the older mark.
        var equity = Value()?.Equity;
        var marked = equity is { } peak ? Ledger.MarkEquity(peak) : Ledger;
        Ledger = marked.TransferCash(transfer.Amount, equity);
        if (Ledger.HighWaterMark == decimal.MaxValue && marked.HighWaterMark != decimal.MaxValue)
        {
            AccountLog.HighWaterMarkSaturated(logger, AccountId, transfer.TransferId, marked.HighWaterMark, equity ?? 0m);
        }

        S.LastTransferSequence = transfer.Sequence;
        if (S.DayStart is { } start)
        {
            S.DayStart = start with { CashFlow = start.CashFlow + transfer.Amount };
        }

        AddEvent(new AccountEvent
        {
            Sequence = ++S.LastEventSequence,
            AccountId = AccountId,
            Timestamp = transfer.At,
            Kind = AccountEventKind.CashTransfer,
            Transfer = transfer,
        });
    }

    /// <summary>The gateway's checks again (<see cref="CashTransferRules"/>), for a caller that is not the gateway.</summary>
    private static CashTransferResult? Invalid(TransferCash command) =>
        CashTransferRules.TransferIdProblem(command.TransferId) is { } transferId ? CashTransferResult.Invalid("transferId", transferId)
        : CashTransferRules.AmountProblem(command.Amount) is { } amount ? CashTransferResult.Invalid("amount", amount)
        : CashTransferRules.NoteProblem(command.Note) is { } note ? CashTransferResult.Invalid("note", note)
        : null;

    private async Task<GrainState<AccountTransfers>> TransfersAsync() =>
        _transfers ??= await _storage!.ReadRecordAsync<AccountTransfers>(TransfersName, GrainId);
}

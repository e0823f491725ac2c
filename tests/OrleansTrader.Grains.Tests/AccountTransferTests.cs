using System.Globalization;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Brokers.Tests.Alpaca;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Cash into and out of a paper account: it moves the cash and the equity, never the P&amp;L, the high-water mark's
/// drawdown or the returns; a transfer id moves cash once; a withdrawal takes only free cash.
/// </summary>
public sealed class AccountTransferTests
{
    private static readonly DateTimeOffset Monday = new(2026, 3, 2, 14, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task Transfers_MoveCashAndEquity_ButNotTheDaysPnlTheDrawdownOrTheReturns()
    {
        var time = new FakeTimeProvider(Monday);
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "xfer", 10_000m, policy: new BreakerPolicy { DailyLossLimit = 100m });
        await Market.QuoteAsync(cluster, "XFR", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("x-buy", "XFR", OrderSide.Buy, 10m), 1);
        await Market.QuoteAsync(cluster, "XFR", 110m, 110m);
        var before = (await account.RefreshAsync())!;

        var deposit = await account.TransferCashAsync(new TransferCash { TransferId = "dep-1", Amount = 5_000m, Note = "top up" });
        var withdrawal = await account.TransferCashAsync(new TransferCash { TransferId = "wd-1", Amount = -2_000m });
        var after = (await account.RefreshAsync())!;

        Assert.True(deposit.Succeeded, deposit.Message);
        Assert.True(withdrawal.Succeeded, withdrawal.Message);
        Assert.Equal((1L, 5_000m, "top up", before.Cash + 5_000m), (deposit.Transfer!.Sequence, deposit.Transfer.Amount, deposit.Transfer.Note, deposit.Transfer.CashAfter));
        Assert.Equal((2L, before.Cash + 3_000m), (withdrawal.Transfer!.Sequence, withdrawal.Transfer.CashAfter));
        Assert.Equal(before.Cash + 3_000m, after.Cash);
        Assert.Equal(before.Equity + 3_000m, after.Equity);
        Assert.Equal(before.DayPnl, after.DayPnl);
        Assert.Equal(before.HighWaterMark + 3_000m, after.HighWaterMark);

        // A withdrawal of 2,000 against a daily loss limit of 100 trips nothing.
        Assert.Equal(TradingState.Active, after.TradingState);

        // Events and the list, newest first.
        var events = (await account.GetEventsAsync(0, 100)).Events.Where(e => e.Kind == AccountEventKind.CashTransfer).ToList();
        Assert.Equal(["dep-1", "wd-1"], events.Select(e => e.Transfer!.TransferId));
        Assert.Equal(["wd-1", "dep-1"], (await account.GetTransfersAsync()).Select(t => t.TransferId));

        // Today's row: the flow is in the equity, not the P&L; the next day starts flat.
        var today = (await account.GetPerformanceAsync(null, null))!.Days.Single();
        Assert.Equal((10_000m, 3_000m), (today.StartEquity, today.CashFlow));
        Assert.Equal(today.EndEquity - 10_000m - 3_000m, today.Pnl);
        Assert.Equal(after.DayPnl, today.Pnl);

        // Day 1 closes at 110; on day 2 the price falls to 105. A day's return is its P&L over its start, day 1's counting
        // the flow as made at its start.
        await CrossMidnightAsync(cluster, time, "XFR", 110m);
        await account.RefreshAsync();
        await Market.QuoteAsync(cluster, "XFR", 105m, 105m);
        await account.RefreshAsync();
        var performance = (await account.GetPerformanceAsync(null, null))!;
        var (day1, day2) = (performance.Days[0], performance.Days[1]);
        Assert.Equal((3_000m, 0m), (day1.CashFlow, day2.CashFlow));
        Assert.Equal(day1.EndEquity, day2.StartEquity);
        Assert.Equal(-50m, day2.Pnl);
        var compounded = (1m + (day1.Pnl / (day1.StartEquity + day1.CashFlow))) * (1m + (day2.Pnl / day2.StartEquity)) - 1m;
        Assert.Equal((double)compounded, (double)performance.Summary.TotalReturn!.Value, 12);
        Assert.Equal(3_000m, performance.Summary.CashFlow);
        Assert.Equal(day2.EndEquity - day1.StartEquity - 3_000m, performance.Summary.Pnl);
    }

    [Fact]
    public async Task ATransfer_AfterMidnightBeforeTheTick_GoesIntoTheNewDay()
    {
        // Five minutes before midnight: the account stays active across it (idle collection is after 15 minutes), so no
        // activation rolls the day, and the signal tick is 30 days away.
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 55, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "xfer-midnight", 100_000m);
        time.Advance(TimeSpan.FromMinutes(6));

        var withdrawal = await account.TransferCashAsync(new TransferCash { TransferId = "wd-midnight", Amount = -10_000m });

        Assert.True(withdrawal.Succeeded, withdrawal.Message);
        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], days.Select(d => d.Date));
        Assert.Equal((0m, -10_000m), (days[0].CashFlow, days[1].CashFlow));
        Assert.Equal((100_000m, 100_000m, 90_000m), (days[0].EndEquity, days[1].StartEquity, days[1].EndEquity));
        Assert.Equal((0m, 0m), (days[0].Pnl, days[1].Pnl));
    }

    [Fact]
    public async Task ATransfer_AfterAGainNoTickHasMarked_ScalesTheMarkFromThatEquity()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-peak", 10_000m);
        await Market.QuoteAsync(cluster, "XPK", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("xp-buy", "XPK", OrderSide.Buy, 50m), 1);

        // The price rises to 120 with no valuation between (an idle account, or the second before the tick): the
        // withdrawal is made at the peak, so the equity after it is the new high-water mark.
        await Market.QuoteAsync(cluster, "XPK", 120m, 120m);
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "wd-peak", Amount = -2_000m })).Succeeded);
        var atThePeak = (await account.GetSnapshotAsync())!;

        // Back at 110 (the first valuation since) the account is in a drawdown from it. The mark had moved by the amount
        // from the older, lower mark, under the equity: no drawdown at all.
        await Market.QuoteAsync(cluster, "XPK", 110m, 110m);
        var after = (await account.RefreshAsync())!;

        Assert.Equal(atThePeak.Equity!.Value - 500m, after.Equity);
        Assert.Equal(atThePeak.Equity, after.HighWaterMark);
    }

    [Fact]
    public async Task AWithdrawal_TripsNeitherTheDailyLossNorTheDrawdownBreaker()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-breaker", 10_000m,
            policy: new BreakerPolicy { DailyLossLimit = 100m, MaxDrawdownPercent = 10m });

        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "wd-most", Amount = -6_000m })).Succeeded);
        var snapshot = (await account.RefreshAsync())!;

        Assert.Equal((TradingState.Active, TradingState.Active), (snapshot.TradingState, snapshot.AccountBreakerState));
        Assert.Equal((4_000m, 0m, 4_000m), (snapshot.Equity, snapshot.DayPnl, snapshot.HighWaterMark));
    }

    [Fact]
    public async Task ATransferId_MovesCashOnce_AndAnotherAmountUnderItIsRefused()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-once", 1_000m);

        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => account.TransferCashAsync(new TransferCash { TransferId = "same", Amount = 250m })));
        var other = await account.TransferCashAsync(new TransferCash { TransferId = "same", Amount = 300m });

        Assert.All(results, r => Assert.True(r.Succeeded));
        Assert.Single(results, r => !r.Existing);
        Assert.Equal(1_250m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(AccountErrorCodes.TransferIdReused, other.ErrorCode);
        Assert.Single(await account.GetTransfersAsync());
    }

    [Fact]
    public async Task ATransferWhoseWriteFailed_MovesNothing_AndARetryUnderItsIdMovesTheCashOnce()
    {
        var storage = new WriteFailingStorage("transfers");
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday), storage);
        var account = await TestAccounts.OpenAsync(cluster, "xfer-fail", 1_000m);
        storage.FailNext = true;

        await Assert.ThrowsAnyAsync<Exception>(() => account.TransferCashAsync(new TransferCash { TransferId = "dep-retry", Amount = 500m }));
        Assert.Equal(1_000m, (await account.GetSnapshotAsync())!.Cash);
        var retried = await account.TransferCashAsync(new TransferCash { TransferId = "dep-retry", Amount = 500m });

        Assert.True(retried is { Succeeded: true, Existing: false }, retried.Message);
        Assert.Equal(1_500m, (await account.GetSnapshotAsync())!.Cash);
    }

    // A write that reached storage but reported a failure (the answer lost): the retry found the transfer stored and answered
    // it made, with the cash never moved; the next transfer took its sequence number, and it was never applied at all.
    [Fact]
    public async Task ATransferStoredByAWriteThatReportedAFailure_IsAppliedOnce_WhenItsIdIsRetried()
    {
        var storage = new WriteFailingStorage("transfers");
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday), storage);
        var account = await TestAccounts.OpenAsync(cluster, "xfer-lost-ack", 1_000m);
        storage.FailNextAfterWriting = true;

        await Assert.ThrowsAnyAsync<Exception>(() => account.TransferCashAsync(new TransferCash { TransferId = "dep-ack", Amount = 500m }));
        var retried = await account.TransferCashAsync(new TransferCash { TransferId = "dep-ack", Amount = 500m });
        var next = await account.TransferCashAsync(new TransferCash { TransferId = "dep-next", Amount = 200m });

        Assert.True(retried is { Succeeded: true, Existing: true }, retried.Message);
        Assert.Equal(1_700m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal((2L, 1_700m), (next.Transfer!.Sequence, next.Transfer.CashAfter));
        Assert.Equal(["dep-ack", "dep-next"], (await account.GetEventsAsync(0, 100)).Events
            .Where(e => e.Kind == AccountEventKind.CashTransfer).Select(e => e.Transfer!.TransferId));
    }

    // The same lost answer, and no retry: the list showed the deposit made (its cashAfter 1,500) while the cash stayed at
    // 1,000, until the next transfer or activation applied it.
    [Fact]
    public async Task ATransferStoredByAWriteThatReportedAFailure_IsListedWithItsCashMoved()
    {
        var storage = new WriteFailingStorage("transfers");
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday), storage);
        var account = await TestAccounts.OpenAsync(cluster, "xfer-listed", 1_000m);
        storage.FailNextAfterWriting = true;

        await Assert.ThrowsAnyAsync<Exception>(() => account.TransferCashAsync(new TransferCash { TransferId = "dep-listed", Amount = 500m }));
        var listed = Assert.Single(await account.GetTransfersAsync());

        Assert.Equal(("dep-listed", 1_500m), (listed.TransferId, listed.CashAfter));
        Assert.Equal(1_500m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(["dep-listed"], (await account.GetEventsAsync(0, 100)).Events
            .Where(e => e.Kind == AccountEventKind.CashTransfer).Select(e => e.Transfer!.TransferId));
    }

    // Stored by a write that reported a failure seconds before midnight, it waited for the next transfer or activation: the
    // day it was made closed without it, and the cash moved on a later day (or never, for an account that stays active).
    [Fact]
    public async Task ATransferStoredByAWriteThatReportedAFailure_IsAppliedByTheSignalTick_InTheDayItWasMade()
    {
        var storage = new WriteFailingStorage("transfers");
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 23, 59, 50, TimeSpan.Zero));
        await using var cluster = await StartAsync(time, storage);
        var account = await TestAccounts.OpenAsync(cluster, "xfer-tick", 1_000m);
        storage.FailNextAfterWriting = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.TransferCashAsync(new TransferCash { TransferId = "dep-tick", Amount = 500m }));

        time.Advance(TimeSpan.FromSeconds(15));
        var snapshot = (await account.RefreshAsync())!;

        Assert.Equal((1_500m, 0m), (snapshot.Cash, snapshot.DayPnl));
        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal([new DateOnly(2026, 3, 2), new DateOnly(2026, 3, 3)], days.Select(d => d.Date));
        Assert.Equal((1_000m, 500m, 1_500m, 0m), (days[0].StartEquity, days[0].CashFlow, days[0].EndEquity, days[0].Pnl));
        Assert.Equal((1_500m, 0m), (days[1].StartEquity, days[1].CashFlow));
    }

    // Stored by a write that reported a failure, a deposit waited while a fill took 1,000 of the cash: it was applied with
    // the cashAfter it was stored with (10,500), and listed, answered to a retry and sent as an event with a balance the
    // account never had.
    [Fact]
    public async Task ATransferAppliedAfterAFill_IsListedWithTheCashItLeft()
    {
        var storage = new WriteFailingStorage("transfers");
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday), storage);
        var account = await TestAccounts.OpenAsync(cluster, "xfer-late", 10_000m);
        await Market.QuoteAsync(cluster, "XLT", 100m, 100m);
        storage.FailNextAfterWriting = true;
        await Assert.ThrowsAnyAsync<Exception>(() => account.TransferCashAsync(new TransferCash { TransferId = "dep-late", Amount = 500m }));
        await FillAsync(account, Market.MarketOrder("xl-buy", "XLT", OrderSide.Buy, 10m), 1);

        var listed = Assert.Single(await account.GetTransfersAsync());
        var retried = await account.TransferCashAsync(new TransferCash { TransferId = "dep-late", Amount = 500m });
        var sent = (await account.GetEventsAsync(0, 100)).Events.Single(e => e.Kind == AccountEventKind.CashTransfer).Transfer!;
        var cash = (await account.GetSnapshotAsync())!.Cash;

        Assert.Equal((9_500m, 9_500m, 9_500m, 9_500m), (cash, listed.CashAfter, retried.Transfer!.CashAfter, sent.CashAfter));
        Assert.True(retried.Existing);
    }

    // Each deposit was bounded alone (at most 1,000,000,000,000), so deposits added up past what an account may open with.
    [Fact]
    public async Task ADeposit_ThatWouldTakeTheCashPastTheBound_IsRefusedNamingWhatCanBeDeposited()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-bound", 1_000.50m);
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "dep-big", Amount = 999_999_998_000m })).Succeeded);

        var refused = await account.TransferCashAsync(new TransferCash { TransferId = "dep-over", Amount = 1_000m });
        var most = await account.TransferCashAsync(new TransferCash { TransferId = "dep-most", Amount = 999.50m });
        var repeated = await account.TransferCashAsync(new TransferCash { TransferId = "dep-most", Amount = 999.50m });
        var cent = await account.TransferCashAsync(new TransferCash { TransferId = "dep-cent", Amount = 0.01m });
        var withdrawal = await account.TransferCashAsync(new TransferCash { TransferId = "wd-some", Amount = -0.01m });

        Assert.Equal((AccountErrorCodes.CashLimit, AccountErrorCodes.CashLimit), (refused.ErrorCode, cent.ErrorCode));
        Assert.StartsWith("At most 999.50 can be deposited now", refused.Message);
        Assert.StartsWith("At most 0.00 can be deposited now", cent.Message);
        Assert.True(most is { Succeeded: true, Existing: false, Transfer.CashAfter: CashTransferRules.MaxCash }, most.Message);
        Assert.True(repeated is { Succeeded: true, Existing: true }, repeated.Message);
        Assert.True(withdrawal.Succeeded, withdrawal.Message);
        Assert.Equal(CashTransferRules.MaxCash - 0.01m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(["wd-some", "dep-most", "dep-big"], (await account.GetTransfersAsync()).Select(t => t.TransferId));
    }

    // The gateway bounds the cash an account opens with; the account did not, so a caller behind it opened one with more
    // than any deposit may leave.
    [Fact]
    public async Task AnAccount_OpensWithAtMostTheCashADepositMayLeave()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));

        var over = await cluster.Account("xfer-open-over").OpenAsync(new OpenAccount { Cash = CashTransferRules.MaxCash + 0.01m, RiskLimits = TestAccounts.Loose });
        var most = await cluster.Account("xfer-open-most").OpenAsync(new OpenAccount { Cash = CashTransferRules.MaxCash, RiskLimits = TestAccounts.Loose });

        Assert.Equal(AccountErrorCodes.Invalid, over.ErrorCode);
        Assert.Contains("Cash must be at most 1,000,000,000,000.", over.Message, StringComparison.Ordinal);
        Assert.True(most.Succeeded, most.Message);
    }

    [Fact]
    public async Task AWithdrawal_TakesOnlyTheCashWorkingOrdersLeaveFree()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-free", 10_000m);
        await Market.QuoteAsync(cluster, "XFF", 50m, 50m);
        var resting = await account.PlaceOrderAsync(Market.Limit("x-rest", "XFF", OrderSide.Buy, 100m, 48m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);
        var free = (await account.GetSnapshotAsync())!.Cash - (await account.GetSnapshotAsync())!.Reserved;

        var tooMuch = await account.TransferCashAsync(new TransferCash { TransferId = "wd-big", Amount = -(free + 0.01m) });
        var exact = await account.TransferCashAsync(new TransferCash { TransferId = "wd-all", Amount = -free });

        Assert.Equal(AccountErrorCodes.InsufficientCash, tooMuch.ErrorCode);
        Assert.True(exact.Succeeded, exact.Message);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(snapshot.Reserved, snapshot.Cash);
        Assert.Equal(0m, snapshot.BuyingPower);
    }

    // Short 100 at 100 in a margin account of 10,000: cash 20,000, equity 10,000, initial margin 5,000. The cash would let
    // 20,000 go; half the buying power (the equity above the initial margin) lets 5,000, and a repeat answers the first.
    [Fact]
    public async Task AMarginWithdrawal_TakesAtMostTheEquityAboveTheInitialMargin()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = cluster.Account("xfer-margin");
        Assert.True((await account.OpenAsync(new OpenAccount
        {
            Cash = 10_000m,
            AccountType = Domain.Portfolio.AccountType.Margin,
            RiskLimits = TestAccounts.Loose,
            FeeModel = new Domain.Fees.FeeModelSpec { IncludeRegulatoryFees = false },
        })).Succeeded);
        await Market.QuoteAsync(cluster, "XMG", 100m, 100m);
        await FillAsync(account, Market.MarketOrder("xm-short", "XMG", OrderSide.Sell, 100m), 1);

        var tooMuch = await account.TransferCashAsync(new TransferCash { TransferId = "wd-over", Amount = -5_000.01m });
        var most = await account.TransferCashAsync(new TransferCash { TransferId = "wd-most", Amount = -5_000m });
        var repeated = await account.TransferCashAsync(new TransferCash { TransferId = "wd-most", Amount = -5_000m });

        Assert.Equal(AccountErrorCodes.InsufficientCash, tooMuch.ErrorCode);
        Assert.StartsWith("At most 5000.00 can be withdrawn", tooMuch.Message);
        Assert.True(most is { Succeeded: true, Existing: false }, most.Message);
        Assert.True(repeated is { Succeeded: true, Existing: true }, repeated.Message);
        Assert.Equal(most.Transfer, repeated.Transfer);
        var snapshot = (await account.RefreshAsync())!;
        Assert.Equal((15_000m, 5_000m, 0m), (snapshot.Cash, snapshot.Equity!.Value, snapshot.BuyingPower!.Value));
    }

    // A working order under $1 reserves a fraction of a cent (3 at 0.5001): the refusal named 9998.4997 as the most that can
    // be withdrawn, an amount the next request could not ask for (at most 2 decimals).
    [Fact]
    public async Task ARefusedWithdrawal_NamesAnAmountThatCanBeWithdrawn()
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-cents", 10_000m);
        await Market.QuoteAsync(cluster, "XFC", 0.55m, 0.56m);
        var resting = await account.PlaceOrderAsync(Market.Limit("xc-rest", "XFC", OrderSide.Buy, 3m, 0.5001m));
        Assert.True(resting.Succeeded, resting.Denial?.Message);

        var refused = await account.TransferCashAsync(new TransferCash { TransferId = "wd-all", Amount = -10_000m });
        var most = decimal.Parse(Regex.Match(refused.Message!, "At most ([0-9.]+)").Groups[1].Value, CultureInfo.InvariantCulture);
        var withdrawn = await account.TransferCashAsync(new TransferCash { TransferId = "wd-most", Amount = -most });

        Assert.Equal(AccountErrorCodes.InsufficientCash, refused.ErrorCode);
        Assert.True(withdrawn.Succeeded, withdrawn.Message);
        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.InRange(snapshot.Cash - snapshot.Reserved, 0m, 0.0099m);
    }

    [Theory]
    [InlineData("ok-id", 0, "amount")]
    [InlineData("ok-id", 0.001, "amount")]
    [InlineData("bad id!", 10, "transferId")]
    [InlineData("", 10, "transferId")]

    // A trailing line break is another id than "ok-id" (a retry with it moved the cash twice) and broke the log line.
    [InlineData("ok-id\n", 10, "transferId")]
    [InlineData("ok-id", 10, "note", "line one\nline two")]
    [InlineData("ok-id", 10, "note", "bell\u0007")]

    // U+202E shows the text after it reversed: "refund [U+202E]eef" reads "refund fee" in a statement.
    [InlineData("ok-id", 10, "note", "refund \u202Eeef")]
    public async Task AnInvalidTransfer_IsRefusedNamingItsField(string transferId, double amount, string field, string? note = null)
    {
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday));
        var account = await TestAccounts.OpenAsync(cluster, "xfer-bad", 1_000m);

        var result = await account.TransferCashAsync(new TransferCash { TransferId = transferId, Amount = (decimal)amount, Note = note });

        Assert.Equal((AccountErrorCodes.Invalid, field), (result.ErrorCode, result.Field));
        Assert.Equal(1_000m, (await account.GetSnapshotAsync())!.Cash);
        Assert.Equal(AccountErrorCodes.NotOpen, (await cluster.Account("xfer-nobody").TransferCashAsync(new TransferCash { TransferId = "a", Amount = 1m })).ErrorCode);
    }

    /// <summary>
    /// A deposit scales a mark above the equity by the equity's growth; a mark far past any account's (set here in the
    /// stored ledger) would be scaled beyond what a decimal holds. That threw after the transfer was stored, and the
    /// account then failed at every activation, which applies the stored transfer again. The mark is held at the largest
    /// decimal, with a warning, and the account answers across a restart.
    /// </summary>
    [Fact]
    public async Task ADepositThatScalesTheMarkPastADecimal_KeepsTheLargestDecimal_AndTheAccountAnswersAfterARestart()
    {
        var storage = new WriteFailingStorage("none");
        var logs = new CapturedLogs();
        await using var cluster = await StartAsync(new FakeTimeProvider(Monday), storage, logs);
        await TestAccounts.OpenAsync(cluster, "xfer-peak", 1_000m);
        var id = GrainId.Create(typeof(AccountGrain).FullName!, "xfer-peak");

        // Rewritten with the silos stopped, so no activation holds the record: a mark of 1e27 over an equity of 1,000.
        await cluster.Cluster.StopAllSilosAsync(TestContext.Current.CancellationToken);
        var core = new GrainState<AccountState>(new AccountState());
        await storage.ReadStateAsync("account", id, core, TestContext.Current.CancellationToken);
        core.State.Ledger = core.State.Ledger! with { HighWaterMark = 1_000_000_000_000_000_000_000_000_000m };
        await storage.WriteStateAsync("account", id, core, TestContext.Current.CancellationToken);
        await cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken);

        var deposit = await cluster.Account("xfer-peak").TransferCashAsync(new TransferCash { TransferId = "dep-peak", Amount = 999_999_999_000m });
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var after = (await cluster.Account("xfer-peak").GetSnapshotAsync())!;

        Assert.True(deposit.Succeeded, deposit.Message);
        Assert.Equal((1_000_000_000_000m, decimal.MaxValue), (after.Cash, after.HighWaterMark));
        var warning = Assert.Single(logs.Entries, e => e.EventId.Id == 5024);
        Assert.Equal(LogLevel.Warning, warning.Level);
        Assert.Contains("xfer-peak: transfer dep-peak scales the high-water mark 1000000000000000000000000000 (equity 1000)", warning.Text, StringComparison.Ordinal);
    }

    private static Task<TradingCluster> StartAsync(FakeTimeProvider time, WriteFailingStorage? storage = null, CapturedLogs? logs = null) => TradingCluster.StartAsync(new TradingClusterOptions
    {
        Time = time,
        ConfigureSilo = silo =>
        {
            if (storage is not null)
            {
                silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
            }

            if (logs is not null)
            {
                silo.Services.AddSingleton<ILoggerProvider>(logs);
            }

            // The tests value and roll the day themselves (RefreshAsync); the timers stay out of the way.
            silo.Configure<AccountGrainOptions>(o =>
            {
                o.SignalInterval = TimeSpan.FromDays(30);
                o.ReconcileInterval = TimeSpan.FromDays(30);
            });
        },
    });
}

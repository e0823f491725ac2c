using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;
using RestingBidder = OrleansTrader.Grains.Tests.StrategyWorkingOrdersTests.RestingBidder;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// A trading week on the NYSE calendar and a fake clock, Friday 2026-10-30 to Wednesday 2026-11-04: a weekend, the US
/// fall-back on Sunday (New York moves from UTC-4 to UTC-5, so the closes move from 20:00 to 21:00 UTC), and an extended
/// session that ends at UTC midnight on Friday and past it on Monday. One account with a running and a stopped strategy
/// trades through it, and at the end its days, its breaker's daily loss, its orders' expiries and the strategies' days are
/// held to the docs (grains.md "Trading days", api.md "Performance", paper-exchange.md "DAY expiry", domain.md).
/// </summary>
public sealed class TradingWeekTests
{
    private const string Symbol = "WEEK";
    private const string StaleSymbol = "WKST";
    private const string AccountId = "week";
    private const string ClosedAccountId = "week-regular";

    private static readonly DateOnly Friday = new(2026, 10, 30);
    private static readonly DateOnly Saturday = Friday.AddDays(1);
    private static readonly DateOnly Sunday = Friday.AddDays(2);
    private static readonly DateOnly Monday = Friday.AddDays(3);
    private static readonly DateOnly Tuesday = Friday.AddDays(4);
    private static readonly DateOnly Wednesday = Friday.AddDays(5);
    private static readonly BreakerActor RiskOfficer = new("risk-officer", HasRiskRole: true);

    [Fact]
    public async Task AWeekAcrossAWeekendAndTheFallBack_KeepsDaysExpiriesAndTheDailyLossToTheDocs()
    {
        var time = new FakeTimeProvider(NewYork(Friday, 9, 30, 5));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            Calendar = NyseCalendar.Instance,
            ConfigureSilo = silo => silo.Services.AddStrategy(RestingBidder.Definition),
        });
        var week = new Week(cluster, time);

        await week.QuoteAsync(100.00m, 100.02m);
        var account = await TestAccounts.OpenAsync(cluster, AccountId, 1_000_000m,
            TestAccounts.Loose with { RequireMarketOpen = false },
            BreakerPolicy.Default with { DailyLossLimit = 500m, MaxDrawdownPercent = 100m, StaleDataMaxAge = TimeSpan.FromDays(30) });
        var regular = await TestAccounts.OpenAsync(cluster, ClosedAccountId, 100_000m);

        // Friday, the open: both strategies rest a GTC bid at 99 on the first bar; the sleeper is stopped with its bid working.
        await week.CreateStrategyAsync("runner");
        await week.CreateStrategyAsync("sleeper");
        await week.BarAsync(100m, "runner", "sleeper");
        Assert.True((await week.Strategy("sleeper").StopAsync()).Succeeded);

        // Friday 10:00 New York (14:00 UTC): orders of every kind; the market buys fill at once at the ask.
        await week.AdvanceToAsync(NewYork(Friday, 10, 0));
        await week.QuoteAsync(100.00m, 100.02m);
        await Market.QuoteAsync(cluster, StaleSymbol, 49.99m, 50.01m);
        await week.PlaceAsync(account, Day("day-fri", 95m));
        await week.PlaceAsync(account, Market.Limit("gtc-fri", Symbol, OrderSide.Buy, 10m, 94m));
        await week.PlaceAsync(account, Extended(Day("ext-fri", 93m)));
        await week.PlaceAsync(account, Market.AsBracket(Market.MarketOrder("bracket-fri", Symbol, OrderSide.Buy, 10m), takeProfit: 104m, stopLoss: 95m));
        await week.PlaceAsync(account, Market.MarketOrder("loss-fri", Symbol, OrderSide.Buy, 200m));
        await week.FillsAsync(account, 2);

        // Friday's regular close is 16:00 EDT, 20:00 UTC: the DAY limit works until then and expires exactly then.
        await week.ExpectExpiryAsync(account, "day-fri", NewYork(Friday, 16, 0));
        Assert.Equal(OrderStatus.Accepted, await week.StatusAsync(account, "ext-fri"));
        Assert.Equal(OrderStatus.Accepted, await week.StatusAsync(account, "gtc-fri"));

        // After hours (17:00 EDT): the regular-hours account may not send a market order; the mark's fall trips the daily loss.
        await week.AdvanceToAsync(NewYork(Friday, 17, 0));
        await week.QuoteAsync(96.99m, 97.01m);
        var afterHours = await regular.PlaceOrderAsync(Market.MarketOrder("closed-fri", Symbol, OrderSide.Buy, 1m));
        Assert.Equal(RiskReasonCodes.MarketClosed, afterHours.Denial?.ReasonCode);
        var tripped = await Eventually.WaitAsync(() => cluster.Breaker(AccountId).GetStateAsync(), b => b.State == TradingState.Reducing,
            "Friday's loss to trip the daily loss", tick: () => time.Advance(TimeSpan.FromMilliseconds(200)));
        Assert.Equal(BreakerTrigger.DailyLoss, tripped.LastTrigger);
        Assert.True((await account.RefreshAsync())!.DayPnl < -500m);

        // The extended-hours DAY limit ends with the after-hours session, 20:00 EDT: UTC midnight, still Friday's day.
        await week.ExpectExpiryAsync(account, "ext-fri", NewYork(Friday, 20, 0));
        Assert.Equal(new DateTimeOffset(2026, 10, 31, 0, 0, 0, TimeSpan.Zero), NewYork(Friday, 20, 0));

        // Saturday: a new day, flat, from Friday's end; yesterday's loss no longer holds the breaker.
        await week.AdvanceToAsync(NewYork(Saturday, 10, 0));
        var saturday = (await account.RefreshAsync())!;
        Assert.Equal(0m, saturday.DayPnl);
        var reset = await cluster.Breaker(AccountId).ResetAsync(TradingState.Active, RiskOfficer, "a new day", force: false);
        Assert.True(reset.Succeeded, $"{reset.ErrorCode}: {reset.Message}");
        await Eventually.WaitAsync(() => account.GetSnapshotAsync(), s => s!.TradingState == TradingState.Active, "the account to hear of the reset");

        // Accept now, work at the open: Friday's last quote is the last session's and fresh; a quote an hour before the close is not.
        var weekendMarket = await week.PlaceAsync(account, Market.MarketOrder("mkt-sat", Symbol, OrderSide.Buy, 10m));
        Assert.Equal(TimeInForce.Day, weekendMarket.TimeInForce);
        var stale = await account.PlaceOrderAsync(Market.MarketOrder("stale-sat", StaleSymbol, OrderSide.Buy, 10m));
        Assert.Equal(RiskReasonCodes.QuoteStale, stale.Denial?.ReasonCode);
        var closed = await regular.PlaceOrderAsync(Market.MarketOrder("closed-sat", Symbol, OrderSide.Buy, 1m));
        Assert.Equal(RiskReasonCodes.MarketClosed, closed.Denial?.ReasonCode);
        await week.QueryRunnerAsync();

        // Sunday (the clocks went back at 06:00 UTC): nothing moves.
        await week.AdvanceToAsync(NewYork(Sunday, 10, 0));
        Assert.Equal(0m, (await account.RefreshAsync())!.DayPnl);
        await week.QueryRunnerAsync();

        // Monday starts at New York midnight (05:00 UTC); an active account rolls within a second, before any quote of Monday.
        await week.AdvanceToAsync(NewYork(Monday, 0, 0, 1));
        await account.RefreshAsync();

        // Monday 08:30 EST is 13:30 UTC, Friday's open on the UTC clock: the pre-market fills no regular order.
        await week.AdvanceToAsync(NewYork(Monday, 8, 30));
        await week.QuoteAsync(98.98m, 99.00m);
        await week.AdvanceToAsync(NewYork(Monday, 9, 30, 1));
        await week.QuoteAsync(98.98m, 99.00m);
        var fills = await week.FillsAsync(account, 5);
        Assert.All(fills.Skip(2), f => Assert.True(f.Timestamp >= NewYork(Monday, 9, 30), $"{f.ClientOrderId} filled at {f.Timestamp:O}, before Monday's open"));
        Assert.Equal(OrderStatus.Filled, await week.StatusAsync(account, "mkt-sat"));
        Assert.Equal(OrderStatus.Accepted, await week.StatusAsync(account, "gtc-fri"));

        // Monday's close is 16:00 EST, 21:00 UTC: an hour later on the UTC clock than Friday's.
        await week.AdvanceToAsync(NewYork(Monday, 10, 0));
        await week.QuoteAsync(98.98m, 99.00m);
        await week.PlaceAsync(account, Day("day-mon", 95m));
        await week.ExpectExpiryAsync(account, "day-mon", NewYork(Monday, 16, 0));
        Assert.Equal(new DateTimeOffset(2026, 11, 2, 21, 0, 0, TimeSpan.Zero), NewYork(Monday, 16, 0));

        // Monday 19:30 EST is Tuesday 00:30 UTC: an extended-hours DAY order ends at 20:00 EST (01:00 UTC), a regular one
        // is for Tuesday's session.
        await week.AdvanceToAsync(NewYork(Monday, 19, 30));
        await account.RefreshAsync();
        await week.QuoteAsync(98.98m, 99.00m);
        await week.PlaceAsync(account, Extended(Day("ext-mon", 93m)));
        await week.PlaceAsync(account, Day("day-mon-late", 95m));
        await week.ExpectExpiryAsync(account, "ext-mon", NewYork(Monday, 20, 0));
        Assert.Equal(OrderStatus.Accepted, await week.StatusAsync(account, "day-mon-late"));
        await week.QueryRunnerAsync();

        // Tuesday 10:00 EST: the bracket's take-profit placed on Friday fills and cancels its stop-loss; the late DAY limit
        // expires at Tuesday's close.
        await week.AdvanceToAsync(NewYork(Tuesday, 10, 0));
        await week.QuoteAsync(104.00m, 104.02m);
        await week.FillsAsync(account, 6);
        var legs = (await account.GetOrdersAsync(OrderStatusFilter.All, 100, null)).Where(o => o.ParentOrderId is not null).ToList();
        Assert.Equal([OrderStatus.Filled, OrderStatus.Canceled], legs.OrderBy(o => o.Type == OrderType.Limit ? 0 : 1).Select(o => o.Status));
        await week.ExpectExpiryAsync(account, "day-mon-late", NewYork(Tuesday, 16, 0));
        await week.QueryRunnerAsync();

        // Wednesday: the week's days, one a New York date, chained, each fill in the day it was made.
        await week.AdvanceToAsync(NewYork(Wednesday, 10, 0));
        await week.QuoteAsync(104.00m, 104.02m);
        var performance = (await account.GetPerformanceAsync(null, null))!;
        var days = performance.Days;
        Assert.Equal([Friday, Saturday, Sunday, Monday, Tuesday, Wednesday], days.Select(d => d.Date));
        Assert.Equal([true, true, true, true, true, false], days.Select(d => d.Closed));
        var allFills = await account.GetFillsAsync(0, 100);
        Assert.Equal(days.Select(d => (long)allFills.Count(f => NyseCalendar.ExchangeDate(f.Timestamp) == d.Date)), days.Select(d => d.Fills));
        Assert.Equal((0m, 0m), (days[1].Pnl, days[2].Pnl));
        Assert.True(days[0].Pnl < -500m, $"Friday's P&L {days[0].Pnl}");
        for (var i = 0; i < days.Count; i++)
        {
            Assert.Equal(days[i].Date, NyseCalendar.ExchangeDate(days[i].StartedAt));
            Assert.Equal(days[i].EndEquity - days[i].StartEquity - days[i].CashFlow, days[i].Pnl);
            if (i > 0)
            {
                Assert.Equal((days[i - 1].EndEquity, days[i - 1].EndedAt), (days[i].StartEquity, days[i].StartedAt));
            }
        }

        var snapshot = (await account.GetSnapshotAsync())!;
        Assert.Equal(snapshot.Equity, days[^1].EndEquity);
        Assert.Equal(snapshot.DayPnl, days[^1].Pnl);
        Assert.Equal(snapshot.Equity - 1_000_000m, performance.Summary.Pnl);
        Assert.Equal(TradingState.Active, (await cluster.Breaker(AccountId).GetStateAsync()).State);

        await week.ExpectStrategyDaysAsync(account, "runner", [Friday, Saturday, Sunday, Monday, Tuesday, Wednesday]);
        await week.ExpectStrategyDaysAsync(account, "sleeper", null);
    }

    // Thanksgiving 2026: Thursday the 26th closed, Friday the 27th closes at 13:00 (after-hours until 17:00) New York.
    [Fact]
    public async Task AWeekAcrossThanksgiving_ExpiresDayOrdersAtTheEarlyClose_AndJudgesQuotesFromIt()
    {
        var wednesday = new DateOnly(2026, 11, 25);
        var thanksgiving = wednesday.AddDays(1);
        var blackFriday = wednesday.AddDays(2);
        var saturday = wednesday.AddDays(3);
        var monday = wednesday.AddDays(5);
        var time = new FakeTimeProvider(NewYork(wednesday, 10, 0));
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions { Time = time, Calendar = NyseCalendar.Instance });
        var week = new Week(cluster, time);
        await week.QuoteAsync(100.00m, 100.02m);
        var account = await TestAccounts.OpenAsync(cluster, AccountId, 1_000_000m, TestAccounts.Loose with { RequireMarketOpen = false });
        var regular = await TestAccounts.OpenAsync(cluster, ClosedAccountId, 100_000m);

        // Wednesday after hours: a DAY limit is for the next session, Friday's, which ends at 13:00 EST (18:00 UTC).
        await week.AdvanceToAsync(NewYork(wednesday, 17, 0));
        await week.QuoteAsync(100.00m, 100.02m);
        await week.PlaceAsync(account, Day("day-wed-late", 95m));
        await week.PlaceAsync(account, Market.Limit("gtc-wed", Symbol, OrderSide.Buy, 10m, 94m));

        // Thanksgiving: no session, not even an extended one; the last session's quote (Wednesday's after-hours) is fresh.
        await week.AdvanceToAsync(NewYork(thanksgiving, 10, 0));
        await account.RefreshAsync();
        var holidayExtended = await regular.PlaceOrderAsync(Extended(Day("ext-holiday-regular", 95m)));
        Assert.Equal(RiskReasonCodes.MarketClosed, holidayExtended.Denial?.ReasonCode);
        await week.PlaceAsync(account, Day("day-holiday", 95m));
        await week.PlaceAsync(account, Extended(Day("ext-holiday", 93m)));
        Assert.Equal(OrderStatus.Accepted, await week.StatusAsync(account, "day-wed-late"));

        // Friday: the regular session closes at 13:00 EST and takes every DAY order with it; the extended one lasts to 17:00.
        await week.AdvanceToAsync(NewYork(blackFriday, 9, 30, 1));
        await account.RefreshAsync();
        await week.QuoteAsync(99.00m, 99.02m);
        await Market.QuoteAsync(cluster, StaleSymbol, 49.99m, 50.01m);
        await week.PlaceAsync(account, Day("day-fri", 95m));
        await week.ExpectExpiryAsync(account, "day-fri", NewYork(blackFriday, 13, 0));
        Assert.Equal([OrderStatus.Expired, OrderStatus.Expired], [(await week.StatusAsync(account, "day-wed-late"))!.Value, (await week.StatusAsync(account, "day-holiday"))!.Value]);
        await week.AdvanceToAsync(NewYork(blackFriday, 16, 59, 50));
        await week.QuoteAsync(99.00m, 99.02m);
        await week.ExpectExpiryAsync(account, "ext-holiday", NewYork(blackFriday, 17, 0));

        // Saturday: the age counts from Friday's 13:00 close, so the after-hours quote is fresh and the morning's is not.
        await week.AdvanceToAsync(NewYork(saturday, 10, 0));
        await account.RefreshAsync();
        await week.PlaceAsync(account, Day("day-sat", 95m));
        var stale = await account.PlaceOrderAsync(Market.MarketOrder("stale-sat", StaleSymbol, OrderSide.Buy, 10m));
        Assert.Equal(RiskReasonCodes.QuoteStale, stale.Denial?.ReasonCode);
        await week.AdvanceToAsync(NewYork(saturday.AddDays(1), 10, 0));
        await account.RefreshAsync();

        // Monday: a full session again, its DAY orders until 16:00 EST (21:00 UTC); the GTC order from Wednesday still works.
        await week.ExpectExpiryAsync(account, "day-sat", NewYork(monday, 16, 0));
        Assert.Equal(OrderStatus.Accepted, await week.StatusAsync(account, "gtc-wed"));
        var days = (await account.GetPerformanceAsync(null, null))!.Days;
        Assert.Equal(Enumerable.Range(0, 6).Select(wednesday.AddDays), days.Select(d => d.Date));
    }

    private static PlaceOrder Day(string clientOrderId, decimal price)
    {
        var limit = Market.Limit(clientOrderId, Symbol, OrderSide.Buy, 10m, price);
        return limit with { Request = limit.Request with { TimeInForce = TimeInForce.Day } };
    }

    private static PlaceOrder Extended(PlaceOrder order) => order with { Request = order.Request with { ExtendedHours = true } };

    private static DateTimeOffset NewYork(DateOnly date, int hour, int minute, int second = 0) =>
        NyseCalendar.ToUtc(date, new TimeOnly(hour, minute, second));

    /// <summary>The week's steps on one cluster and its clock.</summary>
    private sealed class Week(TradingCluster cluster, FakeTimeProvider time)
    {
        private DateTimeOffset? _lastQuote;

        public IStrategyGrain Strategy(string id) => cluster.Grains.GetGrain<IStrategyGrain>(StrategyKey.Create(AccountId, id));

        public Task AdvanceToAsync(DateTimeOffset at)
        {
            Assert.True(at >= time.GetUtcNow(), $"the clock is at {time.GetUtcNow():O}, past {at:O}");
            time.Advance(at - time.GetUtcNow());
            return Task.CompletedTask;
        }

        /// <summary>A quote now (a millisecond on if the last one had this stamp, which the symbol takes for a repeat).</summary>
        public async Task QuoteAsync(decimal bid, decimal ask)
        {
            if (_lastQuote >= time.GetUtcNow())
            {
                time.Advance(TimeSpan.FromMilliseconds(1));
            }

            _lastQuote = time.GetUtcNow();
            await Market.QuoteAsync(cluster, Symbol, bid, ask);
        }

        public async Task CreateStrategyAsync(string id)
        {
            var created = await Strategy(id).CreateAsync(new CreateStrategy
            {
                Kind = RestingBidder.Definition.Kind,
                Symbols = [Symbol],
                Parameters = new Dictionary<string, string> { ["quantity"] = "5" },
                Start = true,
            });
            Assert.True(created.Succeeded, created.Message);
        }

        /// <summary>The minute bar before now closing at <paramref name="close"/>; waits until each strategy has its bid working.</summary>
        public async Task BarAsync(decimal close, params string[] strategies)
        {
            var now = time.GetUtcNow();
            var start = new DateTimeOffset(now.Ticks - (now.Ticks % TimeSpan.TicksPerMinute), TimeSpan.Zero).AddMinutes(-1);
            var ingested = await cluster.Symbol(Symbol).IngestAsync(new TickBatch { Bars = [new Bar(Symbol, start, TimeSpan.FromMinutes(1), close, close, close, close, 1_000m)] });
            Assert.Equal(1, ingested.Accepted);
            foreach (var id in strategies)
            {
                await Eventually.WaitAsync(
                    async () => (await cluster.Account(AccountId).GetOrdersAsync(OrderStatusFilter.Open, 100, null)).Count(o => o.Origin == "strategy:" + id && o.Status == OrderStatus.Accepted),
                    n => n == 1, $"{id}'s bid to work");
            }
        }

        public async Task<AccountOrder> PlaceAsync(IAccountGrain account, PlaceOrder order)
        {
            var placed = await account.PlaceOrderAsync(order);
            Assert.True(placed.Succeeded, $"{order.Request.ClientOrderId}: {placed.Denial?.ReasonCode} {placed.Denial?.Message}");
            return placed.Order!;
        }

        public async Task<OrderStatus?> StatusAsync(IAccountGrain account, string clientOrderId) =>
            (await account.GetOrderByClientOrderIdAsync(clientOrderId))?.Status;

        public Task<IReadOnlyList<AccountFill>> FillsAsync(IAccountGrain account, int count) =>
            Eventually.WaitAsync(() => account.GetFillsAsync(0, 100), f => f.Count == count, $"{count} fills");

        /// <summary>
        /// The order works until a millisecond before <paramref name="close"/>, and expires at it: the clock stops there
        /// while the expiry comes through, so an expiry armed for a later instant never comes.
        /// </summary>
        public async Task ExpectExpiryAsync(IAccountGrain account, string clientOrderId, DateTimeOffset close)
        {
            await AdvanceToAsync(close - TimeSpan.FromMilliseconds(1));
            Assert.Equal(OrderStatus.Accepted, await StatusAsync(account, clientOrderId));
            await AdvanceToAsync(close);
            var expired = await Eventually.WaitAsync(() => account.GetOrderByClientOrderIdAsync(clientOrderId), o => o!.Status != OrderStatus.Accepted,
                $"{clientOrderId} to expire at {close:O}");
            Assert.Equal((OrderStatus.Expired, close), (expired!.Status, expired.UpdatedAt));
        }

        /// <summary>The running strategy's performance query (a day's roll) on each day of the week it is asked.</summary>
        public Task QueryRunnerAsync() => Strategy("runner").GetPerformanceAsync(null, null);

        /// <summary>
        /// The strategy's days chain, each of its fills is in the row of the New York date it was made, and (when given) it has a
        /// row for every one of <paramref name="dates"/>.
        /// </summary>
        public async Task ExpectStrategyDaysAsync(IAccountGrain account, string id, DateOnly[]? dates)
        {
            var performance = (await Strategy(id).GetPerformanceAsync(null, null))!;
            var days = performance.Days;
            var own = (await account.GetFillsAsync(0, 100)).Where(f => f.Origin == "strategy:" + id).ToList();
            Assert.NotEmpty(own);
            if (dates is not null)
            {
                Assert.Equal(dates, days.Select(d => d.Date));
            }

            foreach (var fill in own)
            {
                var made = NyseCalendar.ExchangeDate(fill.Timestamp);
                Assert.True(days.Any(d => d.Date == made), $"{id}: no day {made} for its fill at {fill.Timestamp:O}; days {string.Join(", ", days.Select(d => d.Date))}");
            }

            Assert.Equal(days.Select(d => (long)own.Count(f => NyseCalendar.ExchangeDate(f.Timestamp) == d.Date)), days.Select(d => d.Fills));
            for (var i = 1; i < days.Count; i++)
            {
                Assert.True(days[i - 1].Date < days[i].Date && days[i - 1].EndedAt == days[i].StartedAt, $"{id}: day {days[i - 1].Date} does not chain into {days[i].Date}");
            }

            Assert.Equal([.. Enumerable.Repeat(true, days.Count - 1), false], days.Select(d => d.Closed));
            Assert.Equal(own.Count, performance.Summary.Fills);
        }
    }
}

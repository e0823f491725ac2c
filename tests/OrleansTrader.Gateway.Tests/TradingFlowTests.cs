using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class TradingFlowTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task MarketOrder_IsFilledAndUpdatesThePosition_ThroughHttpAlone()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        var (trader, _) = await Host.IssueKeyAsync(["trader"], [account]);
        await Host.QuoteAsync("ETOE", 100m, 100.02m);

        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", trader, new
        {
            clientOrderId = "e2e-1", symbol = "ETOE", side = "buy", type = "market", quantity = 10, timeInForce = "day",
        }, HttpStatusCode.Created);
        var orderId = placed.GetProperty("orderId").GetString();

        var order = await PollAsync($"/api/accounts/{account}/orders/{orderId}", trader, o => o.GetProperty("status").GetString() == "Filled");
        Assert.Equal(10m, order.GetProperty("filledQuantity").GetDecimal());
        var price = order.GetProperty("averageFillPrice").GetDecimal();
        Assert.InRange(price, 100m, 100.02m);
        var positions = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/positions", trader, null, HttpStatusCode.OK);
        var position = Assert.Single(positions.EnumerateArray());
        Assert.Equal("ETOE", position.GetProperty("symbol").GetString());
        Assert.Equal(10m, position.GetProperty("quantity").GetDecimal());
        Assert.Equal(price, position.GetProperty("averageEntryPrice").GetDecimal());
        var fills = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/fills", trader, null, HttpStatusCode.OK);
        Assert.Equal(10m, fills.EnumerateArray().Sum(f => f.GetProperty("quantity").GetDecimal()));
        var snapshot = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", trader, null, HttpStatusCode.OK);
        Assert.Equal(50_000m - (10m * price) - snapshot.GetProperty("fees").GetDecimal(), snapshot.GetProperty("cash").GetDecimal());
    }

    [Fact]
    public async Task ATrailingStop_ShowsItsTrail_WhenPlacedAndWhenRead()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("TRLS", 50m, 50.02m);
        var bought = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "trl-buy", symbol = "TRLS", side = "buy", type = "market", quantity = 10, timeInForce = "day",
        }, HttpStatusCode.Created);
        await PollAsync($"/api/accounts/{account}/orders/{bought.GetProperty("orderId").GetString()}", Host.AdminKey!, o => o.GetProperty("status").GetString() == "Filled");

        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "trl-stop", symbol = "TRLS", side = "sell", type = "trailingStop", quantity = 10, trailPercent = 2.5m, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var read = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}", Host.AdminKey, null, HttpStatusCode.OK);

        foreach (var order in new[] { placed, read })
        {
            Assert.Equal("TrailingStop", order.GetProperty("type").GetString());
            Assert.Equal(2.5m, order.GetProperty("trailPercent").GetDecimal());
            Assert.True(!order.TryGetProperty("trailPrice", out var price) || price.ValueKind == JsonValueKind.Null);
        }

        // The level follows the trades the paper exchange sees: a trade at 52.01 (the mid) moves the mark there and the
        // stop 2.5% under it, on the cent grid as the backtester places it (50.70975 down to 50.70 for a sell), and
        // reading the order, alone, in the list or looked up by its client order id, shows both.
        await Host.QuoteAsync("TRLS", 52m, 52.02m);
        var moved = await PollAsync($"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}", Host.AdminKey!,
            o => o.TryGetProperty("highWaterMark", out var mark) && mark.ValueKind == JsonValueKind.Number && mark.GetDecimal() == 52.01m);
        var listed = (await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders?status=open", Host.AdminKey, null, HttpStatusCode.OK))
            .EnumerateArray().Single(o => o.GetProperty("clientOrderId").GetString() == "trl-stop");
        var lookedUp = Assert.Single((await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders?clientOrderId=trl-stop", Host.AdminKey, null,
            HttpStatusCode.OK)).EnumerateArray());
        foreach (var order in new[] { moved, listed, lookedUp })
        {
            Assert.Equal(52.01m, order.GetProperty("highWaterMark").GetDecimal());
            Assert.Equal(50.70m, order.GetProperty("stopPrice").GetDecimal());
        }
    }

    // docs/api.md: PATCH takes trailPrice or trailPercent. A trailing stop placed by price, replaced with a percent, trails
    // by that percent; it used to be refused TRAIL_REQUIRED, the replacement holding the old trail price and the new percent.
    [Fact]
    public async Task ATrailingStop_ReplacedWithATrailPercent_TrailsByThePercent()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("TRLK", 50m, 50.02m);
        var bought = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "trk-buy", symbol = "TRLK", side = "buy", type = "market", quantity = 10, timeInForce = "day",
        }, HttpStatusCode.Created);
        await PollAsync($"/api/accounts/{account}/orders/{bought.GetProperty("orderId").GetString()}", Host.AdminKey!, o => o.GetProperty("status").GetString() == "Filled");
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "trk-stop", symbol = "TRLK", side = "sell", type = "trailingStop", quantity = 10, trailPrice = 1m, timeInForce = "gtc",
        }, HttpStatusCode.Created);

        var replaced = await Host.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}",
            Host.AdminKey, new { trailPercent = 3m }, HttpStatusCode.OK);

        Assert.Equal(3m, replaced.GetProperty("trailPercent").GetDecimal());
        Assert.True(!replaced.TryGetProperty("trailPrice", out var price) || price.ValueKind == JsonValueKind.Null, replaced.ToString());
        Assert.Equal("Replaced", (await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}",
            Host.AdminKey, null, HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ABracketOrder_ShowsItsExitsAsOrdersOfTheAccount_AndTheirReplaceIsRefused()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("BRKH", 50m, 50.02m);
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "brk-1", symbol = "BRKH", side = "buy", type = "market", quantity = 10, timeInForce = "gtc",
            orderClass = "bracket", takeProfit = new { limitPrice = 55m }, stopLoss = new { stopPrice = 45m },
        }, HttpStatusCode.Created);
        Assert.Equal("Bracket", placed.GetProperty("orderClass").GetString());
        var entryId = placed.GetProperty("orderId").GetString();

        var open = await PollAsync($"/api/accounts/{account}/orders?status=open", Host.AdminKey!, o => o.GetArrayLength() == 2);
        var exits = open.EnumerateArray().ToList();
        Assert.All(exits, e => Assert.Equal(entryId, e.GetProperty("parentOrderId").GetString()));
        Assert.Equal(["Limit", "Stop"], exits.Select(e => e.GetProperty("type").GetString()).Order());

        var stopId = exits.Single(e => e.GetProperty("type").GetString() == "Stop").GetProperty("orderId").GetString();
        var replace = await Host.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{account}/orders/{stopId}", Host.AdminKey, new { stopPrice = 46m },
            HttpStatusCode.Conflict);
        Assert.Contains("ORDER_NOT_REPLACEABLE", replace.ToString(), StringComparison.Ordinal);

        // Each exit is canceled on its own, like any order; the other keeps protecting the position.
        await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/orders/{stopId}", Host.AdminKey, null, HttpStatusCode.OK);
        var left = await PollAsync($"/api/accounts/{account}/orders?status=open", Host.AdminKey!, o => o.GetArrayLength() == 1);
        Assert.Equal("Limit", left[0].GetProperty("type").GetString());
    }

    // The venue ends a bracket's held exits with its entry: cancel-all answers every order of the group ended, none
    // left working (nor a refused cancel), and nothing reserved.
    [Fact]
    public async Task CancelAll_WithABracketWorking_EndsEveryOrderOfTheGroup_AndFreesItsReservation()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("BRKC", 50m, 50.02m);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "brk-c", symbol = "BRKC", side = "buy", type = "limit", limitPrice = 49m, quantity = 10, timeInForce = "gtc",
            orderClass = "bracket", takeProfit = new { limitPrice = 55m }, stopLoss = new { stopPrice = 45m },
        }, HttpStatusCode.Created);
        await PollAsync($"/api/accounts/{account}/orders?status=open", Host.AdminKey!, o => o.GetArrayLength() == 3);

        var outcomes = await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/orders", Host.AdminKey, null, HttpStatusCode.OK);
        var open = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders?status=open", Host.AdminKey, null, HttpStatusCode.OK);
        var snapshot = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", Host.AdminKey, null, HttpStatusCode.OK);

        Assert.Equal(3, outcomes.GetArrayLength());
        Assert.All(outcomes.EnumerateArray(), o => Assert.True(
            o.GetProperty("order").GetProperty("status").GetString() == "Canceled" && o.GetProperty("reason").ValueKind == JsonValueKind.Null, o.ToString()));
        Assert.Equal(0, open.GetArrayLength());
        Assert.Equal(0m, snapshot.GetProperty("reserved").GetDecimal());
    }

    // docs/api.md: takeProfit {limitPrice}, stopLoss {stopPrice, limitPrice?}. A leg of the wrong shape is a malformed
    // field of the request (400 naming it, like every other field), not a risk refusal of a well-formed order (422).
    [Theory]
    [InlineData("{\"stopPrice\":55}", "{\"stopPrice\":45}", "takeProfit.limitPrice")]
    [InlineData("{\"limitPrice\":55,\"stopPrice\":56}", "{\"stopPrice\":45}", "takeProfit.stopPrice")]
    [InlineData("{\"limitPrice\":55}", "{\"limitPrice\":45}", "stopLoss.stopPrice")]
    public async Task AnExitLegOfTheWrongShape_IsA400NamingTheField(string takeProfit, string stopLoss, string field)
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("BRKV", 50m, 50.02m);
        var body = "{\"clientOrderId\":\"brk-v\",\"symbol\":\"BRKV\",\"side\":\"buy\",\"type\":\"limit\",\"limitPrice\":49,\"quantity\":1,"
            + $"\"timeInForce\":\"gtc\",\"orderClass\":\"bracket\",\"takeProfit\":{takeProfit},\"stopLoss\":{stopLoss}}}";

        foreach (var path in new[] { $"/api/accounts/{account}/orders", $"/api/accounts/{account}/orders/preview" })
        {
            var problem = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, body, HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"{path}: {problem}");
        }
    }

    // A retry of a bracket whose client order id already named a simple order would be told its bracket was placed: it
    // would believe the position protected by exits that do not exist.
    [Fact]
    public async Task ABracket_WithTheClientOrderIdOfASimpleOrder_IsAConflict_NotThatOrder()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("BRKD", 50m, 50.02m);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "brk-dup", symbol = "BRKD", side = "buy", type = "limit", limitPrice = 48m, quantity = 10, timeInForce = "gtc",
        }, HttpStatusCode.Created);

        var again = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "brk-dup", symbol = "BRKD", side = "buy", type = "limit", limitPrice = 48m, quantity = 10, timeInForce = "gtc",
            orderClass = "bracket", takeProfit = new { limitPrice = 54m }, stopLoss = new { stopPrice = 46m },
        }, HttpStatusCode.Conflict);

        Assert.Contains("CLIENT_ORDER_ID_REUSED", again.ToString(), StringComparison.Ordinal);
    }

    // A retry that asks for the extended hours was answered with the first order, which does not trade in them: the client
    // would wait for a pre-market fill that cannot come.
    [Fact]
    public async Task ARepeatAskingForOtherExtendedHours_IsAConflict_AndTheSameRepeatIsTheOrder()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("EXTH", 30m, 30.02m);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "ext-1", symbol = "EXTH", side = "buy", type = "limit", limitPrice = 29m, quantity = 10, timeInForce = "day",
        }, HttpStatusCode.Created);
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "ext-2", symbol = "EXTH", side = "buy", type = "limit", limitPrice = 29m, quantity = 10, timeInForce = "day", extendedHours = true,
        }, HttpStatusCode.Created);

        var asksForThem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "ext-1", symbol = "EXTH", side = "buy", type = "limit", limitPrice = 29m, quantity = 10, timeInForce = "day", extendedHours = true,
        }, HttpStatusCode.Conflict);
        var asksWithout = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "ext-2", symbol = "EXTH", side = "buy", type = "limit", limitPrice = 29m, quantity = 10, timeInForce = "day",
        }, HttpStatusCode.Conflict);
        var same = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "ext-2", symbol = "EXTH", side = "buy", type = "limit", limitPrice = 29m, quantity = 10, timeInForce = "day", extendedHours = true,
        }, HttpStatusCode.OK);

        Assert.Equal(("CLIENT_ORDER_ID_REUSED", "CLIENT_ORDER_ID_REUSED"), (asksForThem.GetProperty("reason").GetString(), asksWithout.GetProperty("reason").GetString()));
        Assert.Equal((true, placed.GetProperty("orderId").GetString()), (same.GetProperty("extendedHours").GetBoolean(), same.GetProperty("orderId").GetString()));
    }

    [Fact]
    public async Task ABracketRepeatedWithOtherExitPrices_IsAConflict_AndTheOrderShowsItsExits()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("BRKE", 50m, 50.02m);
        object Bracket(decimal takeProfit) => new
        {
            clientOrderId = "brk-exits", symbol = "BRKE", side = "buy", type = "limit", limitPrice = 48m, quantity = 10, timeInForce = "gtc",
            orderClass = "bracket", takeProfit = new { limitPrice = takeProfit }, stopLoss = new { stopPrice = 46m },
        };

        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, Bracket(54m), HttpStatusCode.Created);
        Assert.Equal(54m, placed.GetProperty("takeProfit").GetProperty("limitPrice").GetDecimal());
        Assert.Equal(46m, placed.GetProperty("stopLoss").GetProperty("stopPrice").GetDecimal());

        // A true retry answers the order; the same id with another take-profit is another order, not that one.
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, Bracket(54m), HttpStatusCode.OK);
        var other = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, Bracket(56m), HttpStatusCode.Conflict);
        Assert.Contains("CLIENT_ORDER_ID_REUSED", other.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task CashTransfers_DepositAndWithdrawOnceEach_AndShowAsCashFlowNotPnl()
    {
        var account = await Host.CreateAccountAsync(cash: 10_000m);
        var path = $"/api/accounts/{account}/transfers";
        var deposit = new { transferId = "api-dep-1", amount = 2_500m, note = "top up" };

        var made = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, deposit, HttpStatusCode.Created);
        var again = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, deposit, HttpStatusCode.OK);
        var reused = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { transferId = "api-dep-1", amount = 1m }, HttpStatusCode.Conflict);
        var tooMuch = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { transferId = "api-wd-1", amount = -20_000m }, HttpStatusCode.UnprocessableEntity);
        var fraction = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { transferId = "api-x", amount = 0.001m }, HttpStatusCode.BadRequest);
        var missing = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { transferId = "api-y" }, HttpStatusCode.BadRequest);
        await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { transferId = "api-wd-2", amount = -500m }, HttpStatusCode.Created);

        Assert.Equal((1L, 2_500m, "top up", 12_500m), (made.GetProperty("sequence").GetInt64(), made.GetProperty("amount").GetDecimal(),
            made.GetProperty("note").GetString(), made.GetProperty("cashAfter").GetDecimal()));
        Assert.Equal(made.GetProperty("at").GetDateTimeOffset(), again.GetProperty("at").GetDateTimeOffset());
        Assert.Equal("TRANSFER_ID_REUSED", reused.GetProperty("reason").GetString());
        Assert.Equal("INSUFFICIENT_CASH", tooMuch.GetProperty("reason").GetString());
        // The amount is in dollars, to the cent (the deposit of 2,500 above is $2,500.00): refusing a fraction of a cent says so.
        Assert.Equal("Must be a non-zero amount in dollars, to the cent (at most 2 decimals), up to 1,000,000,000,000: positive to deposit, negative to withdraw.",
            fraction.GetProperty("errors").GetProperty("amount")[0].GetString());
        Assert.True(missing.GetProperty("errors").TryGetProperty("amount", out _));

        var listed = await Host.SendJsonAsync(HttpMethod.Get, path, Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(["api-wd-2", "api-dep-1"], listed.EnumerateArray().Select(t => t.GetProperty("transferId").GetString()));
        Assert.Equal(12_000m, (await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", Host.AdminKey, null, HttpStatusCode.OK)).GetProperty("cash").GetDecimal());
        var performance = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/performance", Host.AdminKey, null, HttpStatusCode.OK);
        var today = Assert.Single(performance.GetProperty("days").EnumerateArray());
        Assert.Equal((2_000m, 0m), (today.GetProperty("cashFlow").GetDecimal(), today.GetProperty("pnl").GetDecimal()));
        Assert.Equal(2_000m, performance.GetProperty("summary").GetProperty("cashFlow").GetDecimal());
        await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts/nobody-here/transfers", Host.AdminKey, deposit, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CashTransfers_ReportTheCashAfterToTheCent_WhenFillsLeftFractionsOfACent()
    {
        // 7 shares at 0.5127 cost 3.5889: the cash keeps that fraction of a cent, the API reports it to the cent.
        var account = await Host.CreateAccountAsync(cash: 100m);
        await Host.QuoteAsync("FRAC", 0.5123m, 0.5127m);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey,
            new { clientOrderId = "frac-buy", symbol = "FRAC", side = "buy", type = "market", quantity = 7, timeInForce = "day" }, HttpStatusCode.Created);
        await PollAsync($"/api/accounts/{account}/fills", Host.AdminKey!, f => f.GetArrayLength() == 1);
        var path = $"/api/accounts/{account}/transfers";

        var made = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { transferId = "frac-dep", amount = 10m }, HttpStatusCode.Created);
        var listed = await Host.SendJsonAsync(HttpMethod.Get, path, Host.AdminKey, null, HttpStatusCode.OK);

        var cash = (await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", Host.AdminKey, null, HttpStatusCode.OK)).GetProperty("cash").GetDecimal();
        Assert.Equal(106.41m, cash);
        Assert.Equal(106.41m, made.GetProperty("cashAfter").GetDecimal());
        Assert.Equal(106.41m, Assert.Single(listed.EnumerateArray()).GetProperty("cashAfter").GetDecimal());
    }

    [Fact]
    public async Task Trades_ListTheRoundTrip_WithItsPnl_AndRefuseMalformedQueries()
    {
        var account = await Host.CreateAccountAsync(cash: 50_000m);
        await Host.QuoteAsync("RNDT", 40m, 40m);
        foreach (var (id, side) in new[] { ("rt-buy", "buy"), ("rt-sell", "sell") })
        {
            var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
            {
                clientOrderId = id, symbol = "RNDT", side, type = "market", quantity = 10, timeInForce = "day",
            }, HttpStatusCode.Created);
            await PollAsync($"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}", Host.AdminKey!, o => o.GetProperty("status").GetString() == "Filled");
            await Host.QuoteAsync("RNDT", 41m, 41m);
        }

        var trades = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/trades?symbol=RNDT", Host.AdminKey, null, HttpStatusCode.OK);
        var trade = Assert.Single(trades.GetProperty("trades").EnumerateArray());
        Assert.Equal((1L, true, 10m, 40m, 41m, 10m), (trade.GetProperty("number").GetInt64(), trade.GetProperty("isLong").GetBoolean(),
            trade.GetProperty("quantity").GetDecimal(), trade.GetProperty("entryPrice").GetDecimal(), trade.GetProperty("exitPrice").GetDecimal(),
            trade.GetProperty("realizedPnl").GetDecimal()));
        Assert.Equal(10m - trade.GetProperty("fees").GetDecimal(), trade.GetProperty("netPnl").GetDecimal());
        Assert.Empty(trades.GetProperty("open").EnumerateArray());
        Assert.Equal((1, 1m), (trades.GetProperty("summary").GetProperty("count").GetInt32(), trades.GetProperty("summary").GetProperty("winRate").GetDecimal()));

        var invalid = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/trades?symbol=bad!", Host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("symbol", out _));
        invalid = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/trades?from=2026-02-02&to=2026-02-01", Host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("from", out _));
        invalid = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/trades?limit=0", Host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.True(invalid.GetProperty("errors").TryGetProperty("limit", out _));
        await Host.SendJsonAsync(HttpMethod.Get, "/api/accounts/nobody-here/trades", Host.AdminKey, null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task PlaceOrder_ReturnsTheExistingOrderWith200_ForARepeatedClientOrderId()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("IDEM", 20m, 20.01m);
        var body = new { clientOrderId = "same", symbol = "IDEM", side = "buy", type = "limit", quantity = 5, limitPrice = 19.5m, timeInForce = "gtc" };

        var first = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, body, HttpStatusCode.Created);
        var second = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, body, HttpStatusCode.OK);

        Assert.Equal(first.GetProperty("orderId").GetString(), second.GetProperty("orderId").GetString());
        var orders = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Single(orders.EnumerateArray());
    }

    [Fact]
    public async Task PlaceOrder_Answers409AndPlacesNothing_ForARepeatedClientOrderIdWithOtherParameters()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("IDEX", 20m, 20.01m);
        var path = $"/api/accounts/{account}/orders";
        var first = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey,
            new { clientOrderId = "reused", symbol = "IDEX", side = "buy", type = "limit", quantity = 5, limitPrice = 19.5m, timeInForce = "gtc" },
            HttpStatusCode.Created);
        object[] others =
        [
            new { clientOrderId = "reused", symbol = "IDEX", side = "buy", type = "limit", quantity = 50, limitPrice = 19.5m, timeInForce = "gtc" },
            new { clientOrderId = "reused", symbol = "IDEX", side = "sell", type = "limit", quantity = 5, limitPrice = 19.5m, timeInForce = "gtc" },
            new { clientOrderId = "reused", symbol = "IDEX", side = "buy", type = "limit", quantity = 5, limitPrice = 19.4m, timeInForce = "gtc" },
            new { clientOrderId = "reused", symbol = "IDEX", side = "buy", type = "limit", quantity = 5, limitPrice = 19.5m, timeInForce = "day" },
            new { clientOrderId = "reused", symbol = "IDEY", side = "buy", type = "limit", quantity = 5, limitPrice = 19.5m, timeInForce = "gtc" },
            new { clientOrderId = "reused", symbol = "IDEX", side = "buy", type = "market", quantity = 5, timeInForce = "gtc" },
        ];

        foreach (var other in others)
        {
            var problem = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, other, HttpStatusCode.Conflict);
            Assert.Equal("CLIENT_ORDER_ID_REUSED", problem.GetProperty("reason").GetString());
        }

        // The same order again (5.0 is the quantity 5) is still a retry: the first order, with 200.
        var again = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey,
            new { clientOrderId = "reused", symbol = "IDEX", side = "BUY", type = "limit", quantity = 5.0m, limitPrice = 19.50m, timeInForce = "GTC" },
            HttpStatusCode.OK);
        Assert.Equal(first.GetProperty("orderId").GetString(), again.GetProperty("orderId").GetString());
        var orders = await Host.SendJsonAsync(HttpMethod.Get, path, Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(5m, Assert.Single(orders.EnumerateArray()).GetProperty("quantity").GetDecimal());
    }

    [Fact]
    public async Task Orders_AreFoundByClientOrderId_SoAnUnknownOutcomeCanBeCheckedBeforeARetry()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("LOOK", 20m, 20.01m);
        var path = $"/api/accounts/{account}/orders";
        var placed = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey,
            new { clientOrderId = "look-1", symbol = "LOOK", side = "buy", type = "limit", quantity = 1, limitPrice = 19m, timeInForce = "gtc" }, HttpStatusCode.Created);
        await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey,
            new { clientOrderId = "look-2", symbol = "LOOK", side = "buy", type = "limit", quantity = 2, limitPrice = 19m, timeInForce = "gtc" }, HttpStatusCode.Created);

        var found = await Host.SendJsonAsync(HttpMethod.Get, path + "?clientOrderId=look-1", Host.AdminKey, null, HttpStatusCode.OK);
        var none = await Host.SendJsonAsync(HttpMethod.Get, path + "?clientOrderId=look-3", Host.AdminKey, null, HttpStatusCode.OK);
        var invalid = await Host.SendJsonAsync(HttpMethod.Get, path + "?clientOrderId=look%201", Host.AdminKey, null, HttpStatusCode.BadRequest);

        Assert.Equal(placed.GetProperty("orderId").GetString(), Assert.Single(found.EnumerateArray()).GetProperty("orderId").GetString());
        Assert.Empty(none.EnumerateArray());
        Assert.True(invalid.GetProperty("errors").TryGetProperty("clientOrderId", out _), invalid.ToString());
    }

    [Fact]
    public async Task OrderRoutes_Answer404AccountNotOpen_ForAnUnknownAccount()
    {
        var nobody = GatewayHost.NewId("nobody");
        (HttpMethod Method, string Suffix, object? Body)[] routes =
        [
            (HttpMethod.Get, "/orders/O000000001", null),
            (HttpMethod.Delete, "/orders/O000000001", null),
            (HttpMethod.Patch, "/orders/O000000001", new { quantity = 1 }),
            (HttpMethod.Get, "/orders", null),
            (HttpMethod.Delete, "/orders", null),
        ];

        foreach (var (method, suffix, body) in routes)
        {
            var problem = await Host.SendJsonAsync(method, $"/api/accounts/{nobody}{suffix}", Host.AdminKey, body, HttpStatusCode.NotFound);
            Assert.True(problem.GetProperty("reason").GetString() == "ACCOUNT_NOT_OPEN", $"{method} {suffix}: {problem}");
        }
    }

    [Fact]
    public async Task PlaceOrder_Answers422WithTheReasonAndMaxQuantity_WhenBuyingPowerIsShort()
    {
        var account = GatewayHost.NewId("poor");
        await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey, new
        {
            accountId = account, name = "poor", initialCash = 1_000m, riskLimits = new { maxPositionPercentOfEquity = 1000m },
        }, HttpStatusCode.Created);
        await Host.QuoteAsync("POOR", 10m, 10m);

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "too-big", symbol = "POOR", side = "buy", type = "limit", quantity = 500, limitPrice = 10m, timeInForce = "day",
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("INSUFFICIENT_BUYING_POWER", problem.GetProperty("reason").GetString());
        var max = problem.GetProperty("maxQuantity").GetDecimal();
        Assert.InRange(max, 1m, 100m);
    }

    [Theory]
    [InlineData("{\"clientOrderId\":\"a\",\"symbol\":\"AAPL\",\"side\":\"buyy\",\"type\":\"market\",\"quantity\":1,\"timeInForce\":\"day\"}", "side")]
    [InlineData("{\"clientOrderId\":\"a\",\"symbol\":\"AAPL\",\"side\":1,\"type\":\"market\",\"quantity\":1,\"timeInForce\":\"day\"}", "side")]
    [InlineData("{\"clientOrderId\":\"a\",\"symbol\":\"AAPL\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":\"NaN\",\"timeInForce\":\"day\"}", "quantity")]
    [InlineData("{\"clientOrderId\":\"a\",\"symbol\":\"AAPL\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":-5,\"timeInForce\":\"day\"}", "quantity")]
    [InlineData("{\"clientOrderId\":\"a\",\"symbol\":\"aapl!\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":1,\"timeInForce\":\"day\"}", "symbol")]
    [InlineData("{\"clientOrderId\":\"a b\",\"symbol\":\"AAPL\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":1,\"timeInForce\":\"day\"}", "clientOrderId")]
    [InlineData("{\"clientOrderId\":\"a\",\"symbol\":\"AAPL\",\"side\":\"buy\",\"type\":\"market\",\"quantity\":1,\"timeInForce\":\"day\",\"x\":1}", "x")]
    [InlineData("{\"clientOrderId\":\"a\",", "body")]
    public async Task PlaceOrder_Answers400NamingTheField_ForBadInput(string body, string field)
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, body, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.False(problem.ToString().Contains("System.", StringComparison.Ordinal), problem.ToString());
    }

    [Fact]
    public async Task Performance_AnswersTheOpenDay_AndADateRange_AndRefusesABackwardOrMalformedOne()
    {
        var account = await Host.CreateAccountAsync(cash: 25_000.5m);
        var path = $"/api/accounts/{account}/performance";

        var performance = await Host.SendJsonAsync(HttpMethod.Get, path, Host.AdminKey, null, HttpStatusCode.OK);
        var today = Assert.Single(performance.GetProperty("days").EnumerateArray());
        Assert.False(today.GetProperty("closed").GetBoolean());
        Assert.Equal(25_000.5m, today.GetProperty("startEquity").GetDecimal());
        Assert.Equal(0m, today.GetProperty("pnl").GetDecimal());
        Assert.Equal(1, performance.GetProperty("summary").GetProperty("days").GetInt32());

        // A range that ends before today holds no day.
        var past = await Host.SendJsonAsync(HttpMethod.Get, path + "?from=2000-01-01&to=2000-12-31", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(past.GetProperty("days").EnumerateArray());
        Assert.Equal(0, past.GetProperty("summary").GetProperty("days").GetInt32());

        var backward = await Host.SendJsonAsync(HttpMethod.Get, path + "?from=2026-03-05&to=2026-03-01", Host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.True(backward.GetProperty("errors").TryGetProperty("from", out _), backward.ToString());
        var malformed = await Host.SendJsonAsync(HttpMethod.Get, path + "?from=yesterday", Host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.Equal("Must be a date, yyyy-mm-dd.", malformed.GetProperty("errors").GetProperty("from")[0].GetString());
        await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{GatewayHost.NewId("none")}/performance", Host.AdminKey, null, HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task CloseAllPositions_AnswersAnOutcomePerPosition_AndCancelsWorkingOrdersWhenAsked()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("CLGW", 25m, 25m);
        var orders = $"/api/accounts/{account}/orders";
        await Host.SendJsonAsync(HttpMethod.Post, orders, Host.AdminKey,
            new { clientOrderId = "cl-buy", symbol = "CLGW", side = "buy", type = "market", quantity = 8, timeInForce = "day" }, HttpStatusCode.Created);
        await PollAsync($"/api/accounts/{account}/positions", Host.AdminKey!, p => p.GetArrayLength() == 1 && p[0].GetProperty("quantity").GetDecimal() == 8m);
        var resting = await Host.SendJsonAsync(HttpMethod.Post, orders, Host.AdminKey,
            new { clientOrderId = "cl-rest", symbol = "CLGW", side = "buy", type = "limit", quantity = 1, limitPrice = 24.5, timeInForce = "gtc" }, HttpStatusCode.Created);

        var closed = await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/positions?cancelOrders=true", Host.AdminKey, null, HttpStatusCode.OK);

        var outcome = Assert.Single(closed.EnumerateArray());
        Assert.Equal("CLGW", outcome.GetProperty("symbol").GetString());
        Assert.Equal(("Sell", 8m), (outcome.GetProperty("order").GetProperty("side").GetString(), outcome.GetProperty("order").GetProperty("quantity").GetDecimal()));
        await PollAsync($"/api/accounts/{account}/positions", Host.AdminKey!, p => p.EnumerateArray().All(q => q.GetProperty("quantity").GetDecimal() == 0m));
        var canceled = await PollAsync($"{orders}/{resting.GetProperty("orderId").GetString()}", Host.AdminKey!, o => o.GetProperty("status").GetString() == "Canceled");
        Assert.Equal("Canceled", canceled.GetProperty("status").GetString());

        var nothing = await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/positions", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Empty(nothing.EnumerateArray());
        var bad = await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{account}/positions?cancelOrders=maybe", Host.AdminKey, null, HttpStatusCode.BadRequest);
        Assert.Equal("Must be true or false.", bad.GetProperty("errors").GetProperty("cancelOrders")[0].GetString());
        await Host.SendJsonAsync(HttpMethod.Delete, $"/api/accounts/{GatewayHost.NewId("none")}/positions", Host.AdminKey, null, HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/fills?limit=abc", "limit", "Must be a whole number.")]
    [InlineData("/fills?afterSequence=1.5", "afterSequence", "Must be a whole number.")]
    [InlineData("/journal?after=x", "after", "Must be a whole number.")]
    [InlineData("/performance?to=2026-13-01", "to", "Must be a date, yyyy-mm-dd.")]
    [InlineData("/orders?after=abc", "after", "Must be an order id of this account (O followed by digits), the last of the previous page.")]
    [InlineData("/orders?after=-1", "after", "Must be an order id of this account (O followed by digits), the last of the previous page.")]

    // A value sent twice is refused, never one of the two taken.
    [InlineData("/orders?limit=5&limit=6", "limit", "Must be a whole number.")]
    [InlineData("/orders?status=open&status=closed", "status", "Unknown value; one of all, open, closed.")]
    [InlineData("/events?lastEventId=1&lastEventId=2", "lastEventId", "Must be a non-negative event sequence.")]
    public async Task AMalformedQueryValue_Answers400NamingIt_NotTheBody(string route, string field, string message)
    {
        // An orders cursor that no page ever ended with was compared as text: "abc" answered the first page again (a
        // client following it looped), "-1" an empty list (it looked like the end).
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}{route}", Host.AdminKey, null, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal(message, errors.GetProperty(field)[0].GetString());
        Assert.False(errors.TryGetProperty("body", out _), problem.ToString());
    }

    [Theory]
    [InlineData("maxOpenOrders", -1)]
    [InlineData("maxOrderNotional", 0)]
    [InlineData("priceBandPercent", 0)]
    public async Task InvalidRiskLimits_Answer400NamingTheField_AtTheBodysRootOrUnderRiskLimits(string field, int value)
    {
        var account = await Host.CreateAccountAsync();

        var put = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey,
            new Dictionary<string, object> { [field] = value }, HttpStatusCode.BadRequest);
        var create = await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey,
            new { name = "limits", initialCash = 1000, riskLimits = new Dictionary<string, object> { [field] = value } }, HttpStatusCode.BadRequest);

        // One field, named as the client sent it (as "quantity" is for an order), with one message.
        Assert.Equal([field], put.GetProperty("errors").EnumerateObject().Select(p => p.Name));
        Assert.Equal(1, put.GetProperty("errors").GetProperty(field).GetArrayLength());
        Assert.Equal(["riskLimits." + field], create.GetProperty("errors").EnumerateObject().Select(p => p.Name));
    }

    [Fact]
    public async Task CreateAccount_RefusesAlpacaAndUnknownBrokers_WhenTheSiloHasNoAlpaca()
    {
        var problem = await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey,
            new { name = "live?", initialCash = 1000, broker = "alpaca" }, HttpStatusCode.BadRequest);

        Assert.True(problem.GetProperty("errors").TryGetProperty("broker", out _));
    }

    [Fact]
    public async Task Breaker_TripAndReset_AreAuditedWithTheKeyIdAsActor()
    {
        var account = await Host.CreateAccountAsync();
        var (risk, riskKeyId) = await Host.IssueKeyAsync(["risk"], [account]);

        var tripped = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", risk,
            new { state = "reducing", reason = "desk review" }, HttpStatusCode.OK);
        Assert.Equal("Reducing", tripped.GetProperty("state").GetString());
        Assert.Equal("key:" + riskKeyId, tripped.GetProperty("lastActor").GetString());

        var again = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", risk,
            new { state = "reducing", reason = "again" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("BREAKER_TRIP_NOT_MORE_SEVERE", again.GetProperty("reason").GetString());

        var reset = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/reset", risk,
            new { reason = "reviewed" }, HttpStatusCode.OK);
        Assert.Equal("Active", reset.GetProperty("state").GetString());
        var resetAgain = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/reset", risk,
            new { reason = "reviewed again" }, HttpStatusCode.UnprocessableEntity);
        Assert.Equal("BREAKER_RESET_NOT_LESS_SEVERE", resetAgain.GetProperty("reason").GetString());
    }

    /// <summary>
    /// A reset takes a halted account down to reducing (docs/api.md), without passing through active; halted is not a
    /// reset's target, and an unknown state names the two that are.
    /// </summary>
    [Fact]
    public async Task Breaker_ResetToReducing_TakesAHaltedAccountDown_AndNamesTheStatesAResetTakes()
    {
        var account = await Host.CreateAccountAsync();
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", Host.AdminKey,
            new { state = "halted", reason = "desk review" }, HttpStatusCode.OK);

        var toHalted = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/reset", Host.AdminKey,
            new { state = "halted", reason = "no" }, HttpStatusCode.BadRequest);
        var unknown = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/reset", Host.AdminKey,
            new { state = "open", reason = "no" }, HttpStatusCode.BadRequest);
        var down = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/reset", Host.AdminKey,
            new { state = "reducing", reason = "reviewed, cut only" }, HttpStatusCode.OK);

        Assert.Equal(["A reset goes to \"active\" or \"reducing\"; use trip to go to halted."],
            toHalted.GetProperty("errors").GetProperty("state").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal(["Unknown value; one of active, reducing."],
            unknown.GetProperty("errors").GetProperty("state").EnumerateArray().Select(m => m.GetString()));
        Assert.Equal("Reducing", down.GetProperty("state").GetString());
    }

    /// <summary>
    /// A trip's unknown state names the states a trip takes (docs/api.md: "halted" or "reducing"), not "active" too, which
    /// the same route then refuses.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Breaker_TripToAnUnknownState_NamesOnlyTheStatesATripTakes(bool global)
    {
        var path = global ? "/api/trading/halt" : $"/api/accounts/{await Host.CreateAccountAsync()}/breaker/trip";

        var problem = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { state = "open", reason = "drill" }, HttpStatusCode.BadRequest);

        Assert.Equal(["Unknown value; one of reducing, halted."], problem.GetProperty("errors").GetProperty("state").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>
    /// A trip takes no <c>force</c> (only a reset overrides a trigger): sent anyway, it is refused under its field, where it
    /// was read and ignored, and the published schema of a trip no longer lists it.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Breaker_ATripWithForce_IsRefusedUnderTheField_RatherThanIgnored(bool global)
    {
        var account = await Host.CreateAccountAsync();
        var path = global ? "/api/trading/halt" : $"/api/accounts/{account}/breaker/trip";

        var problem = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, new { state = "reducing", reason = "drill", force = true }, HttpStatusCode.BadRequest);

        Assert.Equal(["Unknown field; this route does not take it."], problem.GetProperty("errors").GetProperty("force").EnumerateArray().Select(m => m.GetString()));
        var breaker = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/breaker", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal("Active", breaker.GetProperty(global ? "global" : "account").GetProperty("state").GetString());
    }

    [Fact]
    public async Task MoneyIsReportedToTheCent_WhilePricesKeepTheirPrecision()
    {
        var account = await Host.CreateAccountAsync(cash: 10_000m);

        // Buy 1 at 10.01 and 2 at 10.02 (average 10.01666...), sell 1 at 10.05: realized 0.0333... before rounding.
        var steps = new[] { ("buy", 1, 10.00m, 10.01m), ("buy", 2, 10.00m, 10.02m), ("sell", 1, 10.05m, 10.06m) };
        for (var i = 0; i < steps.Length; i++)
        {
            var (side, quantity, bid, ask) = steps[i];
            await Host.QuoteAsync("CENT", bid, ask);
            await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
            {
                clientOrderId = $"cent-{i}", symbol = "CENT", side, type = "market", quantity, timeInForce = "day",
            }, HttpStatusCode.Created);
            await PollAsync($"/api/accounts/{account}/fills", Host.AdminKey!, f => f.GetArrayLength() == i + 1);
        }

        var fills = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/fills", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(0.03m, fills.EnumerateArray().Last().GetProperty("realizedPnl").GetDecimal());
        var position = Assert.Single((await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/positions", Host.AdminKey, null, HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal(0.03m, position.GetProperty("realizedPnl").GetDecimal());
        var average = position.GetProperty("averageEntryPrice").GetDecimal();
        Assert.InRange(average, 10.0166m, 10.0167m);
        Assert.NotEqual(Math.Round(average, 2), average);
        var snapshot = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(0.03m, snapshot.GetProperty("realizedPnl").GetDecimal());
        foreach (var name in new[] { "cash", "equity", "buyingPower", "reserved", "longMarketValue", "unrealizedPnl", "dayPnl", "fees", "netRealizedPnl", "highWaterMark" })
        {
            var amount = snapshot.GetProperty(name).GetDecimal();
            Assert.True(amount == Math.Round(amount, 2), $"{name} is reported as {amount}, not to the cent");
        }
    }

    private async Task<JsonElement> PollAsync(string path, string key, Func<JsonElement, bool> done)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            var value = await Host.SendJsonAsync(HttpMethod.Get, path, key, null, HttpStatusCode.OK);
            if (done(value))
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"{path} never reached the expected state: {value}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
    [Fact]
    public async Task OrderPreview_AnswersTheDecisionWith200_ToTheCent_AndPlacesNothing()
    {
        // A stock under $1 quotes in hundredths of a cent, so the reservation has fractions of a cent, which the API rounds.
        var account = await Host.CreateAccountAsync(cash: 100m);
        var (riskKey, _) = await Host.IssueKeyAsync(["risk"], [account]);
        await Host.QuoteAsync("PREV", 0.5123m, 0.5127m);
        var limit = new { symbol = "PREV", side = "buy", type = "market", quantity = 7, timeInForce = "day" };

        var approved = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders/preview", riskKey, limit, HttpStatusCode.OK);
        var denied = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders/preview", riskKey,
            new { symbol = "PREV", side = "buy", type = "market", quantity = 1000, timeInForce = "day" }, HttpStatusCode.OK);

        Assert.True(approved.GetProperty("approved").GetBoolean(), approved.ToString());
        var raw = await Host.Grains.GetGrain<Grains.Abstractions.IAccountGrain>(account).PreviewOrderAsync(new Domain.Orders.OrderRequest
        {
            ClientOrderId = "raw", Symbol = "PREV", Side = Domain.Orders.OrderSide.Buy, Type = Domain.Orders.OrderType.Market, Quantity = 7m,
            TimeInForce = Domain.Orders.TimeInForce.Day,
        });
        Assert.True(raw.RequiredReservation!.Value.Scale > 2, $"reservation {raw.RequiredReservation} has no fraction of a cent");
        Assert.Equal(Domain.Money.RoundForReport(raw.RequiredReservation.Value), approved.GetProperty("requiredReservation").GetDecimal());
        Assert.Equal(raw.ReferencePrice, approved.GetProperty("referencePrice").GetDecimal());
        Assert.False(denied.GetProperty("approved").GetBoolean());
        Assert.Equal("POSITION_EXCEEDS_MAX", denied.GetProperty("reasonCode").GetString());
        Assert.InRange(denied.GetProperty("maxQuantity").GetDecimal(), 1m, 999m);
        var orders = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders", riskKey, null, HttpStatusCode.OK);
        Assert.Empty(orders.EnumerateArray());
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{GatewayHost.NewId("nobody")}/orders/preview", Host.AdminKey, limit, HttpStatusCode.NotFound);
        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders/preview", riskKey, new { symbol = "PREV", quantity = 1 }, HttpStatusCode.BadRequest);
    }
}

using System.Net;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A 422's detail is sentences (docs/api.md), not an order rule's code before them; the rules that failed are in "causes",
/// for the refusal and for its preview.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RefusalDetailTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task FractionalQuantity_IsRefusedWithASentence_AndTheRuleInCauses()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("RFDT", 50m, 50.02m);
        var order = new { clientOrderId = "rfdt-1", symbol = "RFDT", side = "buy", type = "market", quantity = 0.5m, timeInForce = "day" };

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, order, HttpStatusCode.UnprocessableEntity);
        var preview = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders/preview", Host.AdminKey, order, HttpStatusCode.OK);

        Assert.Equal("QUANTITY_INVALID", problem.GetProperty("reason").GetString());
        Assert.Equal("RFDT does not allow fractional quantities.", problem.GetProperty("detail").GetString());
        Assert.Equal(["FRACTIONAL_NOT_ALLOWED"], problem.GetProperty("causes").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal("RFDT does not allow fractional quantities.", preview.GetProperty("message").GetString());
        Assert.Equal(["FRACTIONAL_NOT_ALLOWED"], preview.GetProperty("causes").EnumerateArray().Select(c => c.GetString()));
    }

    // Money in a refusal's words reads as money everywhere (two decimals), whatever scale the figure was computed at: the
    // limits as set (100000) and the amounts computed from prices (150060.00) read alike.
    [Fact]
    public async Task MoneyInARefusalsDetail_HasTwoDecimals()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("RFDM", 50m, 50.02m);
        var orders = $"/api/accounts/{account}/orders";

        var notional = await Host.SendJsonAsync(HttpMethod.Post, orders, Host.AdminKey,
            new { clientOrderId = "rfdm-1", symbol = "RFDM", side = "buy", type = "market", quantity = 3000, timeInForce = "day" },
            HttpStatusCode.UnprocessableEntity);
        var position = await Host.SendJsonAsync(HttpMethod.Post, orders, Host.AdminKey,
            new { clientOrderId = "rfdm-2", symbol = "RFDM", side = "buy", type = "market", quantity = 1000, timeInForce = "day" },
            HttpStatusCode.UnprocessableEntity);

        Assert.Equal("Order notional 150060.00 exceeds the maximum 100000.00.", notional.GetProperty("detail").GetString());
        Assert.Equal("Position notional 50020.00 would exceed the limit 25000.00 (min of 250000.00 and 25% of equity 100000.00).",
            position.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task LimitOrderWithoutAPrice_IsRefusedWithASentence_AndTheRuleInCauses()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("RFDU", 50m, 50.02m);

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "rfdu-1", symbol = "RFDU", side = "buy", type = "limit", quantity = 1, timeInForce = "day",
        }, HttpStatusCode.UnprocessableEntity);

        Assert.Equal("ORDER_INVALID", problem.GetProperty("reason").GetString());
        Assert.DoesNotContain("LIMIT_PRICE_REQUIRED", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Contains("LIMIT_PRICE_REQUIRED", problem.GetProperty("causes").EnumerateArray().Select(c => c.GetString()));
    }
}

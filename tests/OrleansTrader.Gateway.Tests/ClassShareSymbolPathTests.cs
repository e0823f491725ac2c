using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A class-share symbol with '/' (BRK/B, a ticker the API takes in a body) goes into a path as "%2F", the one encoding the
/// server leaves undecoded. Before, the path read "BRK%2FB" and was refused as no ticker, with a message saying '/' is
/// allowed: its quote and bars could not be read and its position could not be closed on its own. Sent over a real
/// socket, as a client sends it.
/// </summary>
public sealed class ClassShareSymbolPathTests
{
    [Theory]
    [InlineData("%2F")]
    [InlineData("%2f")]
    public async Task AClassShareSymbol_WithItsSlashEncoded_AddressesItsQuoteAndItsPosition(string slash)
    {
        await using var host = await GatewayHost.StartAsync(listen: true);
        var account = await host.CreateAccountAsync();
        await host.QuoteAsync("BRK/B", 400m, 400.02m);
        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey,
            new { clientOrderId = "brk-buy", symbol = "BRK/B", side = "buy", type = "market", quantity = 3, timeInForce = "day" }, HttpStatusCode.Created);
        await PollAsync(host, $"/api/accounts/{account}/positions", p => p.GetArrayLength() == 1 && p[0].GetProperty("quantity").GetDecimal() == 3m);

        var (quoteStatus, _, _, quoteBody) = await RawHttp.SendAsync(host, "GET", $"/api/symbols/BRK{slash}B/quote");
        var (barsStatus, _, _, barsBody) = await RawHttp.SendAsync(host, "GET", $"/api/symbols/BRK{slash}B/bars");
        var (closeStatus, _, _, closeBody) = await RawHttp.SendAsync(host, "DELETE", $"/api/accounts/{account}/positions/BRK{slash}B");

        Assert.True(quoteStatus == 200, $"{quoteStatus} {quoteBody}");
        Assert.Equal("BRK/B", JsonDocument.Parse(quoteBody).RootElement.GetProperty("symbol").GetString());
        Assert.True(barsStatus == 200, $"{barsStatus} {barsBody}");
        Assert.True(closeStatus == 200, $"{closeStatus} {closeBody}");
        var close = JsonDocument.Parse(closeBody).RootElement;
        Assert.Equal(("BRK/B", "Sell", 3m), (close.GetProperty("symbol").GetString(), close.GetProperty("side").GetString(), close.GetProperty("quantity").GetDecimal()));

        // The close's generated client order id is one the API takes back: it used to carry the symbol's '/', which
        // ?clientOrderId= refuses, so the order could be found only by its order id.
        var closeClientOrderId = close.GetProperty("clientOrderId").GetString()!;
        var (lookupStatus, _, _, lookupBody) = await RawHttp.SendAsync(host, "GET", $"/api/accounts/{account}/orders?clientOrderId={Uri.EscapeDataString(closeClientOrderId)}");
        Assert.True(lookupStatus == 200, $"{closeClientOrderId}: {lookupStatus} {lookupBody}");
        Assert.Equal(close.GetProperty("orderId").GetString(), JsonDocument.Parse(lookupBody).RootElement.EnumerateArray().Single().GetProperty("orderId").GetString());
    }

    /// <summary>Decoding the slash makes no other ticker valid: two in a row, or one at the end, is still no ticker.</summary>
    [Theory]
    [InlineData("BRK%2F%2FB")]
    [InlineData("BRK%2F")]
    [InlineData("brk%2Fb")]
    [InlineData("BRK%252FB")]
    public async Task AnEncodedSlash_InWhatIsNoTicker_IsStillA400NamingTheSymbol(string segment)
    {
        await using var host = await GatewayHost.StartAsync(listen: true);

        var (status, _, _, body) = await RawHttp.SendAsync(host, "GET", $"/api/symbols/{segment}/quote");

        Assert.True(status == 400, $"{status} {body}");
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("symbol", out _), body);
    }

    private static async Task PollAsync(GatewayHost host, string path, Func<JsonElement, bool> done)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (!done(await host.SendJsonAsync(HttpMethod.Get, path, host.AdminKey, null, HttpStatusCode.OK)))
        {
            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"{path} never reached the expected state.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

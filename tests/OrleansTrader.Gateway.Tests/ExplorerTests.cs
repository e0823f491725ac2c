using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// GET /explorer: the page and its files are served without a key under a strict content security policy; in a real
/// browser the page reads the API description with the key the user gives and sends the calls the user fills in.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class ExplorerTests(GatewayFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ThePageAndItsFiles_AreServedWithoutAKey_UnderAStrictContentSecurityPolicy()
    {
        foreach (var (path, mediaType) in new[] { ("/explorer", "text/html"), ("/explorer/explorer.js", "text/javascript"), ("/explorer/explorer.css", "text/css") })
        {
            using var response = await fixture.Host.SendAsync(HttpMethod.Get, path, null);

            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            Assert.Equal(mediaType, response.Content.Headers.ContentType?.MediaType);
            var policy = string.Join(";", response.Headers.GetValues("Content-Security-Policy"));
            Assert.Contains("default-src 'none'", policy, StringComparison.Ordinal);
            Assert.Contains("script-src 'self'", policy, StringComparison.Ordinal);
            Assert.DoesNotContain("unsafe", policy, StringComparison.Ordinal);
            Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
        }

        var page = await (await fixture.Host.SendAsync(HttpMethod.Get, "/explorer", null)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("src=\"/explorer/explorer.js\"", page, StringComparison.Ordinal);
        Assert.DoesNotContain("<script>", page, StringComparison.Ordinal);
        using var missing = await fixture.Host.SendAsync(HttpMethod.Get, "/explorer/secrets.json", null);
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);

        // The page is the gateway's own, not an API operation.
        var document = await fixture.Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", fixture.Host.AdminKey, null, HttpStatusCode.OK);
        Assert.DoesNotContain(document.GetProperty("paths").EnumerateObject(), p => p.Name.StartsWith("/explorer", StringComparison.Ordinal));
    }

    [Fact]
    public async Task InABrowser_TheExplorerLoadsTheApiWithTheKey_AndSendsWhatTheUserFillsIn()
    {
        SkipWithoutChromium();

        await using var host = await GatewayHost.StartAsync(listen: true);
        var account = await host.CreateAccountAsync(cash: 25_000m);
        await host.QuoteAsync("XPLR", 20m, 20.02m);
        await using var browser = await HeadlessChromium.StartAsync(Ct);
        await browser.NavigateAsync(new Uri(host.Address!, "/explorer"), Ct);
        await browser.WaitForAsync("document.readyState === 'complete' && !!document.getElementById('key')", "the page", Ct);

        // A wrong key: the description is refused and the page says so.
        await LoadAsync(browser, "ot_not-a-key-000000000000000000000000000");
        await browser.WaitForAsync("document.getElementById('load-status').textContent.includes('refused (401)')", "the refusal", Ct);
        Assert.Equal(0, await browser.EvaluateAsync("document.querySelectorAll('details.op').length", Ct) is JsonValue none ? none.GetValue<int>() : -1);

        await LoadAsync(browser, host.AdminKey!);
        await browser.WaitForAsync("Number(document.getElementById('load-status').dataset.operations) > 30", "the operations", Ct);

        // The filter keeps the operations whose method, path or summary has every word.
        var shown = await browser.EvaluateAsync(
            "const f = document.getElementById('filter'); f.value = 'get TRADES'; f.dispatchEvent(new Event('input'));"
            + " const ops = [...document.querySelectorAll('details.op:not([hidden])')].map(o => o.dataset.op);"
            + " f.value = ''; f.dispatchEvent(new Event('input')); ops", Ct);
        Assert.Equal(["GET /api/accounts/{accountId}/strategies/{strategyId}/trades", "GET /api/accounts/{accountId}/trades"],
            shown!.AsArray().Select(o => (string)o!).Order(StringComparer.Ordinal));

        // GET with a path parameter.
        var snapshot = await SendAsync(browser, "GET /api/accounts/{accountId}", new() { ["accountId"] = account });
        Assert.Equal(200, snapshot.Code);
        Assert.Equal(account, (string?)JsonNode.Parse(snapshot.Body)!["accountId"]);
        Assert.Equal(25_000m, (decimal)JsonNode.Parse(snapshot.Body)!["cash"]!);

        // POST with a body: the skeleton lists the request's fields, all null; the user fills in an order.
        var skeleton = JsonNode.Parse((string)(await browser.EvaluateAsync($"{Operation("POST /api/accounts/{accountId}/orders")}.querySelector('textarea[data-body]').value", Ct))!)!.AsObject();
        Assert.Contains("clientOrderId", skeleton.Select(p => p.Key));
        Assert.All(skeleton, p => Assert.Null(p.Value));
        var order = new JsonObject { ["clientOrderId"] = "xplr-1", ["symbol"] = "XPLR", ["side"] = "buy", ["type"] = "market", ["quantity"] = 5, ["timeInForce"] = "day" };
        var placed = await SendAsync(browser, "POST /api/accounts/{accountId}/orders", new() { ["accountId"] = account }, order.ToJsonString());
        Assert.Equal(201, placed.Code);
        Assert.Equal("xplr-1", (string?)JsonNode.Parse(placed.Body)!["clientOrderId"]);

        // The same request for a terminal: the page's origin, the key left as $OT_KEY, the body quoted for a shell.
        var op = Operation("POST /api/accounts/{accountId}/orders");
        await browser.EvaluateAsync($"{op}.querySelector('textarea[data-body]').value = {JsonSerializer.Serialize("{\"clientOrderId\":\"it's\"}")}; {op}.querySelector('button[data-curl]').click(); true", Ct);
        var curl = (string)(await browser.EvaluateAsync($"{op}.querySelector('[data-command]').textContent", Ct))!;
        Assert.Equal(
            $"curl -s -X POST '{new Uri(host.Address!, $"/api/accounts/{account}/orders")}' -H \"Authorization: Bearer $OT_KEY\" -H 'Content-Type: application/json' -d '{{\"clientOrderId\":\"it'\\''s\"}}'",
            curl);
        Assert.DoesNotContain(host.AdminKey!, curl, StringComparison.Ordinal);

        // A query parameter, and what the API refuses shows as the API answered it.
        var orders = await SendAsync(browser, "GET /api/accounts/{accountId}/orders", new() { ["accountId"] = account, ["limit"] = "0" });
        Assert.Equal(400, orders.Code);
        Assert.Contains("limit", orders.Body, StringComparison.Ordinal);

        // A body that is not JSON never leaves the page.
        var broken = await SendAsync(browser, "POST /api/accounts/{accountId}/orders", new() { ["accountId"] = account }, "{ not json");
        Assert.Null(broken.Code);
        Assert.Contains("not JSON", broken.Status, StringComparison.Ordinal);

        // The event stream: what arrives in the listening window, the order placed above among it.
        var events = await SendAsync(browser, "GET /api/accounts/{accountId}/events", new() { ["accountId"] = account, ["lastEventId"] = "0" });
        Assert.Equal(200, events.Code);
        Assert.Contains("xplr-1", events.Body, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ThePage_NamesAnIconOfItsOwn_SoTheBrowserAsksForNoMissingFavicon()
    {
        // Without an icon the browser asks for /favicon.ico, which the gateway answers 404: an error in the page's console.
        var page = await (await fixture.Host.SendAsync(HttpMethod.Get, "/explorer", null)).Content.ReadAsStringAsync(Ct);
        Assert.Contains("<link rel=\"icon\" href=\"/explorer/favicon.svg\"", page, StringComparison.Ordinal);

        using var icon = await fixture.Host.SendAsync(HttpMethod.Get, "/explorer/favicon.svg", null);
        Assert.Equal(HttpStatusCode.OK, icon.StatusCode);
        Assert.Equal("image/svg+xml", icon.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(icon.Headers.GetValues("X-Content-Type-Options")));
        Assert.StartsWith("<svg", (await icon.Content.ReadAsStringAsync(Ct)).TrimStart(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InABrowser_AnAnswerShowsItsNumbersAsTheApiWroteThem_AndAnOptionalBodyIsPrefilled()
    {
        SkipWithoutChromium();

        await using var host = await GatewayHost.StartAsync(listen: true);
        var account = await host.CreateAccountAsync(cash: 25_000m);
        await using var browser = await HeadlessChromium.StartAsync(Ct);
        await OpenWithTheApiLoadedAsync(browser, host);

        // A decimal keeps every digit and its scale in the API's answer; a JavaScript number would round the band to 10
        // and drop the limit's trailing zero.
        var risk = await SendAsync(browser, "PUT /api/accounts/{accountId}/risk", new() { ["accountId"] = account },
            "{\"priceBandPercent\": 10.000000000000000000001, \"maxOrderNotional\": 1000.50}");
        Assert.Equal(200, risk.Code);
        Assert.Contains("\n  \"priceBandPercent\": 10.000000000000000000001,\n", risk.Body, StringComparison.Ordinal);
        Assert.Contains("\n  \"maxOrderNotional\": 1000.50,\n", risk.Body, StringComparison.Ordinal);

        // The rotation's body may be left out (its schema is null or the request), and is prefilled with its field all the same.
        var skeleton = (string)(await browser.EvaluateAsync($"{Operation("POST /api/accounts/{accountId}/webhooks/{webhookId}/rotate-secret")}.querySelector('textarea[data-body]').value", Ct))!;
        Assert.Equal("previousSecretValidForSeconds", Assert.Single(JsonNode.Parse(skeleton)!.AsObject()).Key);
    }

    [Fact]
    public async Task InABrowser_AStreamTheApiEndsWithinTheWindow_IsShownAsEnded_NotAsClosedByThePage()
    {
        SkipWithoutChromium();

        await using var host = await GatewayHost.StartAsync(listen: true);
        var account = await host.CreateAccountAsync(cash: 25_000m);
        await using var browser = await HeadlessChromium.StartAsync(Ct);
        await OpenWithTheApiLoadedAsync(browser, host);

        // The API ends a stream itself, as when its key is revoked: the page's fetch answers one event, then the end.
        await browser.EvaluateAsync(
            "window.fetch = async () => new Response('id: 1\\nevent: fill\\ndata: {}\\n\\n', { status: 200, headers: { 'Content-Type': 'text/event-stream' } }); true", Ct);
        var events = await SendAsync(browser, "GET /api/accounts/{accountId}/events", new() { ["accountId"] = account });

        Assert.Equal(200, events.Code);
        Assert.Equal("id: 1\nevent: fill\ndata: {}\n\n\n(the API ended the stream)", events.Body);
    }

    [Fact]
    public async Task InABrowser_APathParameterOfDots_IsRefusedOnThePage_NotSentToAnotherRoute()
    {
        SkipWithoutChromium();

        await using var host = await GatewayHost.StartAsync(listen: true);
        var account = await host.CreateAccountAsync(cash: 25_000m);
        await host.QuoteAsync("XDOT", 20m, 20.02m);
        var order = new { clientOrderId = "xdot-1", symbol = "XDOT", side = "buy", type = "limit", limitPrice = 19m, quantity = 5, timeInForce = "day" };
        var orderId = (await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, order, HttpStatusCode.Created)).GetProperty("orderId").GetString();
        await using var browser = await HeadlessChromium.StartAsync(Ct);
        await OpenWithTheApiLoadedAsync(browser, host);

        // A URL drops a "." segment: DELETE .../orders/. would be DELETE .../orders/, cancel every order.
        foreach (var dots in new[] { ".", ".." })
        {
            var cancel = await SendAsync(browser, "DELETE /api/accounts/{accountId}/orders/{orderId}", new() { ["accountId"] = account, ["orderId"] = dots });
            Assert.Null(cancel.Code);
            Assert.Contains("orderId cannot be", cancel.Status, StringComparison.Ordinal);
        }

        var still = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{orderId}", host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal("xdot-1", still.GetProperty("clientOrderId").GetString());
        Assert.DoesNotContain("Cancel", still.GetProperty("status").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task InABrowser_UnderAPathBase_ThePageLoadsItsFiles_AndCallsTheApiUnderTheBase()
    {
        SkipWithoutChromium();

        await using var host = await GatewayHost.StartAsync(listen: true, pathBase: "/trader");
        var account = await host.CreateAccountAsync(cash: 25_000m);
        await using var browser = await HeadlessChromium.StartAsync(Ct);
        await browser.NavigateAsync(new Uri(host.Address!, "/trader/explorer"), Ct);
        await browser.WaitForAsync("document.readyState === 'complete' && !!document.getElementById('key')", "the page", Ct);
        await LoadAsync(browser, host.AdminKey!);
        await browser.WaitForAsync("Number(document.getElementById('load-status').dataset.operations) > 30", "the operations", Ct);

        var snapshot = await SendAsync(browser, "GET /api/accounts/{accountId}", new() { ["accountId"] = account });
        Assert.Equal(200, snapshot.Code);
        Assert.Equal(account, (string?)JsonNode.Parse(snapshot.Body)!["accountId"]);
        var op = Operation("GET /api/accounts/{accountId}");
        var curl = (string)(await browser.EvaluateAsync($"{op}.querySelector('button[data-curl]').click(); {op}.querySelector('[data-command]').textContent", Ct))!;
        Assert.Contains($"'{new Uri(host.Address!, $"/trader/api/accounts/{account}")}'", curl, StringComparison.Ordinal);
    }

    private static string Operation(string id) => $"document.querySelector('details.op[data-op=\"{id}\"]')";

    private static void SkipWithoutChromium()
    {
        if (HeadlessChromium.Executable is null)
        {
            Assert.Skip("No Chromium (install Debian's chromium or set ORLEANSTRADER_TEST_CHROMIUM); the browser test is skipped.");
        }
    }

    /// <summary>The page open in <paramref name="browser"/>, the API's operations loaded with the admin key.</summary>
    private static async Task OpenWithTheApiLoadedAsync(HeadlessChromium browser, GatewayHost host)
    {
        await browser.NavigateAsync(new Uri(host.Address!, "/explorer"), Ct);
        await browser.WaitForAsync("document.readyState === 'complete' && !!document.getElementById('key')", "the page", Ct);
        await LoadAsync(browser, host.AdminKey!);
        await browser.WaitForAsync("Number(document.getElementById('load-status').dataset.operations) > 30", "the operations", Ct);
    }

    private static async Task LoadAsync(HeadlessChromium browser, string key) => await browser.EvaluateAsync(
        $"document.getElementById('key').value = {JsonSerializer.Serialize(key)}; document.getElementById('connect').requestSubmit(); true", Ct);

    /// <summary>Fills in one operation as a user would, presses its button and answers what the page then shows.</summary>
    private static async Task<(int? Code, string Status, string Body)> SendAsync(
        HeadlessChromium browser, string operation, Dictionary<string, string> parameters, string? body = null)
    {
        var op = Operation(operation);
        var fill = string.Join(" ", parameters.Select(p =>
            $"{op}.querySelector('input[data-param=\"{p.Key}\"]').value = {JsonSerializer.Serialize(p.Value)};"));
        var setBody = body is null ? string.Empty : $"{op}.querySelector('textarea[data-body]').value = {JsonSerializer.Serialize(body)};";
        await browser.EvaluateAsync(
            $"{op}.open = true; {fill} {setBody} {op}.querySelector('[data-status]').textContent = ''; {op}.querySelector('button[data-send]').click(); true", Ct);
        await browser.WaitForAsync($"{op}.querySelector('[data-status]').textContent !== '' && !{op}.querySelector('button[data-send]').disabled", $"the answer to {operation}", Ct);
        var shown = (await browser.EvaluateAsync(
            $"({{ code: {op}.querySelector('[data-status]').dataset.code, status: {op}.querySelector('[data-status]').textContent, body: {op}.querySelector('[data-response]').textContent }})", Ct))!;
        var code = (string?)shown["code"];
        return (string.IsNullOrEmpty(code) ? null : int.Parse(code, System.Globalization.CultureInfo.InvariantCulture), (string)shown["status"]!, (string)shown["body"]!);
    }
}

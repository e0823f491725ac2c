using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class OpenApiAndMetricsTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task OpenApiDocument_ListsEveryMappedRoute()
    {
        var document = await Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.Equal("http", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
        var routes = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/openapi", StringComparison.Ordinal)
                && !e.RoutePattern.RawText.StartsWith("/health", StringComparison.Ordinal)
                && !e.RoutePattern.RawText.StartsWith("/explorer", StringComparison.Ordinal)) // a page, not an operation (ExplorerTests)
            .ToList();
        Assert.True(routes.Count >= 30);

        foreach (var route in routes)
        {
            var path = "/" + route.RoutePattern.RawText!.Trim('/');
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document");
            foreach (var method in route.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {path} is missing from the OpenAPI document");
            }
        }
    }

    /// <summary>
    /// Times are read and written by the gateway's own converter (a time without its offset is refused), which the document
    /// generator cannot see into: they must stay strings of the date-time format, not any value of that format.
    /// </summary>
    [Fact]
    public async Task OpenApiDocument_DescribesTimesAsDateTimeStrings_NullWhereOptional()
    {
        var document = await Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);
        var schemas = document.GetProperty("components").GetProperty("schemas");

        Assert.Equal("""{"type":["null","string"],"format":"date-time"}""", Minified(schemas.GetProperty("RunBacktestRequest").GetProperty("properties").GetProperty("start")));
        Assert.Equal("""{"type":"string","format":"date-time"}""", Minified(schemas.GetProperty("IssuedApiKey").GetProperty("properties").GetProperty("createdAt")));
    }

    [Fact]
    public async Task Metrics_ExposeGatewayCountersInPrometheusText_WithoutAKey()
    {
        using (await Host.SendAsync(HttpMethod.Get, "/api/accounts/none-such", Host.AdminKey))
        {
        }

        using var response = await Host.SendAsync(HttpMethod.Get, "/metrics", null);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE orleanstrader_gateway_http_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("orleanstrader_gateway_http_requests_total{method=\"GET\",route=\"/api/accounts/{accountId}\",status=\"404\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE orleanstrader_gateway_http_duration_seconds histogram", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_LabelAMadeUpMethodAsOther_SoClientsCannotAddSeries()
    {
        // Any token is a method, sent before any key is checked: as labels, made-up ones would fill the series limit.
        using (await Host.SendAsync(new HttpMethod("AUDITMADEUP"), "/metrics", null))
        {
        }

        var text = await ScrapeAsync(Host);

        Assert.DoesNotContain("method=\"AUDITMADEUP\"", text, StringComparison.Ordinal);
        Assert.Contains("orleanstrader_gateway_http_requests_total{method=\"other\",route=\"unmatched\",status=\"405\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_LabelAGroupsOwnRoute_AsTheDocumentedPathWithoutATrailingSlash()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        using (await host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, new { clientOrderId = "route-1", symbol = "MTRX", side = "sideways" }))
        {
        }

        var text = await ScrapeAsync(host);

        Assert.Contains("orleanstrader_gateway_http_requests_total{method=\"POST\",route=\"/api/accounts\",status=\"201\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("orleanstrader_gateway_http_requests_total{method=\"POST\",route=\"/api/accounts/{accountId}/orders\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("/\",", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ShowNoOpenEventStreams_BeforeTheFirstOpens()
    {
        // A fresh host is a restarted one: the gauge must read 0 rather than be missing until a stream opens.
        await using var host = await GatewayHost.StartAsync();

        var text = await ScrapeAsync(host);

        Assert.Contains("# TYPE orleanstrader_gateway_sse_connections gauge\n", text, StringComparison.Ordinal);
        Assert.Equal(0, Value(text, "orleanstrader_gateway_sse_connections"));
    }

    [Fact]
    public async Task Metrics_ExposeFillsActivationsBreakersAndStreamLag_AfterAnOrderFills()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync(cash: 10_000m);
        await host.QuoteAsync("MTRX", 50m, 50m);
        var placed = await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, new
        {
            clientOrderId = "metrics-1", symbol = "MTRX", side = "buy", type = "market", quantity = 4, timeInForce = "day",
        }, HttpStatusCode.Created);
        var orderPath = $"/api/accounts/{account}/orders/{placed.GetProperty("orderId").GetString()}";
        var order = await PollAsync(() => host.SendJsonAsync(HttpMethod.Get, orderPath, host.AdminKey, null, HttpStatusCode.OK),
            o => o.GetProperty("status").GetString() == "Filled", "the order to fill");
        var notional = 4m * order.GetProperty("averageFillPrice").GetDecimal();

        var text = await PollAsync(() => ScrapeAsync(host), t => Value(t, "orleanstrader_streams_lag{namespace=\"fills\",provider=\"durable\"}") == 0,
            "the fills consumer to checkpoint");

        Assert.Contains("# TYPE orleanstrader_fills_total counter", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "orleanstrader_fills_total{broker=\"paper\",side=\"buy\"}"));
        Assert.Equal((double)notional, Value(text, "orleanstrader_fills_notional_total{broker=\"paper\",currency=\"USD\",side=\"buy\"}"));
        Assert.Contains("# TYPE orleanstrader_runtime_activations gauge", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "orleanstrader_runtime_activations{grain_type=\"OrleansTrader.Grains.Accounts.AccountGrain\"}"));
        Assert.Contains("# TYPE orleanstrader_breaker_state gauge", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "orleanstrader_breaker_state{scope=\"account\",state=\"active\"}"));
        Assert.Equal(0, Value(text, "orleanstrader_breaker_state{scope=\"account\",state=\"halted\"}"));
        Assert.Contains("# TYPE orleanstrader_streams_lag gauge", text, StringComparison.Ordinal);
        Assert.Equal(1, Value(text, "orleanstrader_gateway_orders_total{outcome=\"accepted\"}"));
    }

    [Fact]
    public async Task OrderLatency_IsByOutcome_AndLeavesOutRequestsThatNeverReachedTheAccount()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync(cash: 1_000m);
        await host.QuoteAsync("MTRX", 50m, 50m);
        var orders = $"/api/accounts/{account}/orders";
        await host.SendJsonAsync(HttpMethod.Post, orders, host.AdminKey, new
        {
            clientOrderId = "latency-accepted", symbol = "MTRX", side = "buy", type = "market", quantity = 1, timeInForce = "day",
        }, HttpStatusCode.Created);
        await host.SendJsonAsync(HttpMethod.Post, orders, host.AdminKey, new
        {
            clientOrderId = "latency-denied", symbol = "MTRX", side = "buy", type = "market", quantity = 1_000, timeInForce = "day",
        }, HttpStatusCode.UnprocessableEntity);
        await host.SendJsonAsync(HttpMethod.Post, orders, host.AdminKey, new
        {
            clientOrderId = "latency-invalid", symbol = "MTRX", side = "sideways", type = "market", quantity = 1, timeInForce = "day",
        }, HttpStatusCode.BadRequest);

        var text = await ScrapeAsync(host);

        // A request refused before it reached the account took no account time: counted, but kept out of the latency.
        Assert.Equal(1, Value(text, "orleanstrader_gateway_orders_total{outcome=\"invalid\"}"));
        Assert.Equal(1, Value(text, "orleanstrader_gateway_order_latency_seconds_count{outcome=\"accepted\"}"));
        Assert.Equal(1, Value(text, "orleanstrader_gateway_order_latency_seconds_count{outcome=\"denied\"}"));
        Assert.DoesNotContain("orleanstrader_gateway_order_latency_seconds_count{outcome=\"invalid\"}", text, StringComparison.Ordinal);
    }

    /// <summary>
    /// docs/api.md: orders_total's `invalid` is a placement refused before it reached the account. Every 400 the placement
    /// route answers is one, whether a field rule, the JSON (malformed, an unknown field, a wrong type) or the path refused it.
    /// </summary>
    [Fact]
    public async Task OrdersInvalid_CountsEveryPlacementAnswered400_WhateverPartOfTheRequestWasRefused()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        var orders = $"/api/accounts/{account}/orders";
        string[] bodies =
        [
            """{"clientOrderId":"inv-1","symbol":"MTRX","side":"sideways","type":"market","quantity":1,"timeInForce":"day"}""",
            """{"clientOrderId":"inv-2","symbol":"MTRX",""",
            """{"clientOrderId":"inv-3","symbol":"MTRX","side":"buy","type":"market","quantity":1,"timeInForce":"day","bogus":1}""",
            """{"clientOrderId":"inv-4","symbol":"MTRX","side":"buy","type":"market","quantity":"1","timeInForce":"day"}""",
        ];
        foreach (var (path, body) in bodies.Select(b => (orders, b)).Append(("/api/accounts/bad%20id/orders", bodies[0].Replace("sideways", "buy", StringComparison.Ordinal))))
        {
            using var request = host.Request(HttpMethod.Post, path, host.AdminKey, body);
            using var response = await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
            Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        }

        var text = await ScrapeAsync(host);

        Assert.Equal(5, Value(text, "orleanstrader_gateway_orders_total{outcome=\"invalid\"}"));
        Assert.DoesNotContain("orleanstrader_gateway_order_latency_seconds_count{outcome=\"invalid\"}", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Metrics_ShowABreakerTripAndItsTransition()
    {
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/breaker/trip", host.AdminKey, new { state = "halted", reason = "metrics test" },
            HttpStatusCode.OK);

        var text = await ScrapeAsync(host);

        Assert.Equal(0, Value(text, "orleanstrader_breaker_state{scope=\"account\",state=\"active\"}"));
        Assert.Equal(1, Value(text, "orleanstrader_breaker_state{scope=\"account\",state=\"halted\"}"));
        Assert.Equal(1, Value(text, "orleanstrader_breaker_transitions_total{from=\"active\",scope=\"account\",to=\"halted\",trigger=\"manual\"}"));
    }

    [Fact]
    public async Task Metrics_ShowTheSqliteGroupCommit_OfASiloOnSqlite()
    {
        var path = Path.Combine(Path.GetTempPath(), $"gateway-metrics-{Guid.NewGuid():N}.db");
        var file = Path.GetFileName(path);
        try
        {
            await using var host = await GatewayHost.StartAsync(sqlitePath: path);
            await host.CreateAccountAsync();

            var text = await ScrapeAsync(host);

            // Opening an account writes its settings and then its core record before it answers: committed writes of the
            // group commit, counted before the writes complete.
            Assert.Contains("# TYPE orleanstrader_sqlite_writes_total counter", text, StringComparison.Ordinal);
            Assert.True(Value(text, $"orleanstrader_sqlite_writes_total{{file=\"{file}\",outcome=\"committed\",table_prefix=\"\"}}") >= 2);
            Assert.True(Value(text, $"orleanstrader_sqlite_commits_total{{file=\"{file}\",table_prefix=\"\"}}") >= 1);
            Assert.Contains("# TYPE orleanstrader_sqlite_group_duration_seconds histogram", text, StringComparison.Ordinal);
            Assert.True(Value(text, $"orleanstrader_sqlite_queue{{file=\"{file}\",table_prefix=\"\"}}") >= 0);
        }
        finally
        {
            foreach (var leftover in Directory.GetFiles(Path.GetDirectoryName(path)!, file + "*"))
            {
                File.Delete(leftover);
            }
        }
    }

    private static string Minified(System.Text.Json.JsonElement element) => System.Text.Json.JsonSerializer.Serialize(element);

    private static async Task<string> ScrapeAsync(GatewayHost host)
    {
        using var response = await host.SendAsync(HttpMethod.Get, "/metrics", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
    }

    /// <summary>The value of the one series named exactly so (name and labels), or null when the scrape has none.</summary>
    private static double? Value(string text, string series)
    {
        var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(series + " ", StringComparison.Ordinal));
        return line is null ? null : double.Parse(line[(series.Length + 1)..], CultureInfo.InvariantCulture);
    }

    private static async Task<T> PollAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var deadline = TimeProvider.System.GetUtcNow() + TimeSpan.FromSeconds(20);
        while (true)
        {
            var value = await read();
            if (done(value))
            {
                return value;
            }

            Assert.True(TimeProvider.System.GetUtcNow() < deadline, $"Timed out waiting for {what}: {value}");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

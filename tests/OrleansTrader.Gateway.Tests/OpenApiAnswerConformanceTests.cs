using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Clients are generated from the OpenAPI document, so the answers the API really gives must fit it: every status an
/// operation answers is listed for it, and every body fits the schema listed for its status and content type.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class OpenApiAnswerConformanceTests(GatewayFixture fixture)
{
    private const string ProblemJson = "application/problem+json";

    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task OpenApiDocument_ListsTheErrorsAnOperationAnswers_AsProblemDetails()
    {
        var paths = (await DocumentAsync()).GetProperty("paths");

        // Statuses docs/api.md gives these routes, each one seen answered by a running silo.
        var expected = new (string Path, string Method, string[] Statuses)[]
        {
            ("/api/accounts/{accountId}/orders", "post", ["400", "401", "403", "404", "409", "413", "415", "422", "429"]),
            ("/api/accounts/{accountId}", "get", ["400", "401", "403", "404", "429"]),
            ("/api/accounts", "post", ["400", "401", "403", "409", "415", "429"]),
            ("/api/accounts/{accountId}/breaker/trip", "post", ["400", "401", "403", "404", "422"]),
            ("/api/keys/{keyId}", "delete", ["400", "401", "403", "404"]),

            // BACKUP_FAILED: the backup folder cannot be created or written (BackupsApiTests).
            ("/api/backups", "post", ["400", "401", "403", "409", "500"]),

            // Every route refuses a path with an empty or dot segment ("/api/strategy-kinds/", ".../%2E"), with or without a path id or a body.
            ("/api/backtests/files", "get", ["400", "401", "422", "429"]),
            ("/api/strategy-kinds", "get", ["400", "401", "429"]),
            ("/api/accounts/{accountId}/orders", "delete", ["400", "401", "403", "404", "409", "422"]),
        };
        foreach (var (path, method, statuses) in expected)
        {
            var responses = paths.GetProperty(path).GetProperty(method).GetProperty("responses");
            foreach (var status in statuses)
            {
                Assert.True(responses.TryGetProperty(status, out var response), $"{method.ToUpperInvariant()} {path} does not list {status}: {responses}");
                Assert.True(response.GetProperty("content").TryGetProperty(ProblemJson, out _), $"{method.ToUpperInvariant()} {path} {status} is not {ProblemJson}: {response}");
            }
        }
    }

    [Fact]
    public async Task ARealProblemAnswer_HasOnlyPropertiesItsSchemaDeclares()
    {
        var document = await DocumentAsync();
        var paths = document.GetProperty("paths");
        var account = await Host.CreateAccountAsync();
        var invalid = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/fills?limit=abc", Host.AdminKey, null, HttpStatusCode.BadRequest);
        var missing = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/none-such", Host.AdminKey, null, HttpStatusCode.NotFound);

        // The path checks answer 400 with the refused values under 'errors' on every route, also where the handler itself
        // never refuses a field.
        var invalidId = await Host.SendJsonAsync(HttpMethod.Get, "/api/accounts/bad%20id", Host.AdminKey, null, HttpStatusCode.BadRequest);
        var invalidSymbol = await Host.SendJsonAsync(HttpMethod.Get, "/api/symbols/bad$/quote", Host.AdminKey, null, HttpStatusCode.BadRequest);

        AssertDeclaresEvery(document, paths.GetProperty("/api/accounts/{accountId}/fills").GetProperty("get"), "400", invalid);
        AssertDeclaresEvery(document, paths.GetProperty("/api/accounts/{accountId}/orders/{orderId}").GetProperty("get"), "404", missing);
        AssertDeclaresEvery(document, paths.GetProperty("/api/accounts/{accountId}").GetProperty("get"), "400", invalidId);
        AssertDeclaresEvery(document, paths.GetProperty("/api/symbols/{symbol}/quote").GetProperty("get"), "400", invalidSymbol);
    }

    [Fact]
    public async Task ANullableEnumProperty_IsNullThroughExactlyOneBranch()
    {
        // The property says "null or OrderClass" with oneOf: when OrderClass itself also allows null, a null matches both
        // branches and fails oneOf, so every order of a simple class would be refused by a validating client.
        var schemas = (await DocumentAsync()).GetProperty("components").GetProperty("schemas");

        foreach (var name in new[] { "OrderClass", "BreakerTrigger", "OrderSide" })
        {
            var schema = schemas.GetProperty(name);
            Assert.DoesNotContain(schema.GetProperty("enum").EnumerateArray(), value => value.ValueKind == JsonValueKind.Null);
            Assert.Equal("string", schema.GetProperty("type").GetString());
        }

        var orderClass = schemas.GetProperty("AccountOrder").GetProperty("properties").GetProperty("orderClass").GetProperty("oneOf");
        Assert.Single(orderClass.EnumerateArray(), branch => branch.TryGetProperty("type", out var type) && type.GetString() == "null");
    }

    [Fact]
    public async Task OpenApiDocument_NamesEveryOperationOnce_UnderATag()
    {
        // A generator names a client's methods by operationId and groups them by tag: a route without .WithName gets a
        // name made from its path that changes with it, and two routes of one name do not generate at all.
        var paths = (await DocumentAsync()).GetProperty("paths");
        var named = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var path in paths.EnumerateObject())
        {
            foreach (var operation in path.Value.EnumerateObject())
            {
                var route = $"{operation.Name.ToUpperInvariant()} {path.Name}";
                Assert.True(operation.Value.TryGetProperty("operationId", out var id) && !string.IsNullOrEmpty(id.GetString()), $"{route} has no operationId");
                Assert.True(named.TryAdd(id.GetString()!, route), $"{route} and {named.GetValueOrDefault(id.GetString()!)} are both named {id.GetString()}");
                Assert.True(operation.Value.TryGetProperty("tags", out var tags) && tags.GetArrayLength() == 1, $"{route} is not under exactly one tag");
            }
        }
    }

    [Fact]
    public async Task ARouteWithoutAKey_ListsThe429OfTheLimitOnRequestsWithoutAKey()
    {
        // A scrape of /metrics without a key counts against the per-IP limit for requests without a valid key.
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?> { ["Gateway:RateLimits:AnonymousPermitsPerWindow"] = "1" });
        using var first = await host.SendAsync(HttpMethod.Get, "/metrics", null);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);

        using var refused = await host.SendAsync(HttpMethod.Get, "/metrics", null);
        Assert.Equal(HttpStatusCode.TooManyRequests, refused.StatusCode);
        Assert.Equal(ProblemJson, refused.Content.Headers.ContentType?.MediaType);

        var document = await host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", host.AdminKey, null, HttpStatusCode.OK);
        var metrics = document.GetProperty("paths").GetProperty("/metrics").GetProperty("get");
        AssertDeclaresEvery(document, metrics, "429", await refused.Content.ReadFromJsonAsync<JsonElement>(TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task OpenApiDocument_DescribesMetricsAsPrometheusText()
    {
        var metrics = (await DocumentAsync()).GetProperty("paths").GetProperty("/metrics").GetProperty("get").GetProperty("responses").GetProperty("200");

        Assert.True(metrics.TryGetProperty("content", out var content), $"GET /metrics 200 declares no content: {metrics}");
        Assert.Equal("string", content.GetProperty("text/plain").GetProperty("schema").GetProperty("type").GetString());
    }

    private Task<JsonElement> DocumentAsync() => Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);

    /// <summary>
    /// Every property of the answer is one the schema of that status declares. A problem schema admits extension members,
    /// but a generated client types only the declared ones: a field of the gateway's own left undeclared is one the
    /// client cannot read.
    /// </summary>
    private static void AssertDeclaresEvery(JsonElement document, JsonElement operation, string status, JsonElement answer)
    {
        Assert.True(operation.GetProperty("responses").TryGetProperty(status, out var response), $"{status} is not listed: {operation}");
        var schema = Resolve(document, response.GetProperty("content").GetProperty(ProblemJson).GetProperty("schema"));
        var declared = schema.GetProperty("properties");
        foreach (var property in answer.EnumerateObject())
        {
            Assert.True(declared.TryGetProperty(property.Name, out _),
                $"The {status} answer has '{property.Name}', which its schema does not declare: {schema}");
        }
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;
}

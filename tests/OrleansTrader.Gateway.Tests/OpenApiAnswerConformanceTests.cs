using System.Net;
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
        var account = await Host.CreateAccountAsync();
        var invalid = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/fills?limit=abc", Host.AdminKey, null, HttpStatusCode.BadRequest);
        var missing = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/none-such", Host.AdminKey, null, HttpStatusCode.NotFound);

        AssertDeclaresEvery(document, document.GetProperty("paths").GetProperty("/api/accounts/{accountId}/fills").GetProperty("get"), "400", invalid);
        AssertDeclaresEvery(document, document.GetProperty("paths").GetProperty("/api/accounts/{accountId}/orders/{orderId}").GetProperty("get"), "404", missing);
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
    public async Task OpenApiDocument_DescribesMetricsAsPrometheusText()
    {
        var metrics = (await DocumentAsync()).GetProperty("paths").GetProperty("/metrics").GetProperty("get").GetProperty("responses").GetProperty("200");

        Assert.True(metrics.TryGetProperty("content", out var content), $"GET /metrics 200 declares no content: {metrics}");
        Assert.Equal("string", content.GetProperty("text/plain").GetProperty("schema").GetProperty("type").GetString());
    }

    private Task<JsonElement> DocumentAsync() => Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);

    /// <summary>Every property of the answer is one the schema of that status declares, or the schema admits any other.</summary>
    private static void AssertDeclaresEvery(JsonElement document, JsonElement operation, string status, JsonElement answer)
    {
        Assert.True(operation.GetProperty("responses").TryGetProperty(status, out var response), $"{status} is not listed: {operation}");
        var schema = Resolve(document, response.GetProperty("content").GetProperty(ProblemJson).GetProperty("schema"));
        var declared = schema.GetProperty("properties");
        var othersAllowed = !schema.TryGetProperty("additionalProperties", out var additional) || additional.ValueKind != JsonValueKind.False;
        foreach (var property in answer.EnumerateObject())
        {
            Assert.True(othersAllowed || declared.TryGetProperty(property.Name, out _),
                $"The {status} answer has '{property.Name}', which its schema neither declares nor allows: {schema}");
        }
    }

    private static JsonElement Resolve(JsonElement document, JsonElement schema) =>
        schema.TryGetProperty("$ref", out var reference)
            ? document.GetProperty("components").GetProperty("schemas").GetProperty(reference.GetString()!["#/components/schemas/".Length..])
            : schema;
}

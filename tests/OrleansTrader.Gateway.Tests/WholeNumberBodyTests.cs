using System.Net;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md: a number is taken exactly as written, so a whole-number field takes any spelling of a whole number
/// (<c>1e2</c>, <c>100.0</c>); one with a fraction is "Must be a whole number.", and one past what the field holds names
/// that range instead of claiming it is not whole.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class WholeNumberBodyTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("1e2")]
    [InlineData("100.0")]
    [InlineData("1.00E+2")]
    [InlineData("10000e-2")]
    public async Task AWholeNumberInAnySpelling_IsTakenAsThatNumber(string written)
    {
        var account = await Host.CreateAccountAsync();

        var limits = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey,
            $$"""{"maxOpenOrders":{{written}},"maxSubmitsPerWindow":{{written}}}""", HttpStatusCode.OK);
        var policy = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/breaker/policy", Host.AdminKey,
            $$"""{"minErrorSamples":{{written}}}""", HttpStatusCode.OK);

        Assert.Equal((100, 100), (limits.GetProperty("maxOpenOrders").GetInt32(), limits.GetProperty("maxSubmitsPerWindow").GetInt32()));
        Assert.Equal(100, policy.GetProperty("minErrorSamples").GetInt32());
    }

    [Theory]
    [InlineData("/risk", "maxOpenOrders", "100.5", "Must be a whole number.")]
    [InlineData("/risk", "maxOpenOrders", "1e-1", "Must be a whole number.")]
    [InlineData("/risk", "maxOpenOrders", "100.0000000000000000000000000001", "Must be a whole number.")]
    [InlineData("/risk", "maxOpenOrders", "\"100\"", "Must be a whole number.")]
    [InlineData("/risk", "maxOpenOrders", "2147483648", "Must be a whole number between -2147483648 and 2147483647.")]
    [InlineData("/risk", "maxSubmitsPerWindow", "-2147483649", "Must be a whole number between -2147483648 and 2147483647.")]
    [InlineData("/risk", "maxSubmitsPerWindow", "1e40", "Must be a whole number between -2147483648 and 2147483647.")]
    [InlineData("/breaker/policy", "minErrorSamples", "3e9", "Must be a whole number between -2147483648 and 2147483647.")]
    [InlineData("/webhooks/none-such/rotate-secret", "previousSecretValidForSeconds", "9223372036854775808",
        "Must be a whole number between -9223372036854775808 and 9223372036854775807.")]
    [InlineData("/webhooks/none-such/rotate-secret", "previousSecretValidForSeconds", "60.5", "Must be a whole number.")]
    public async Task ANumberThatIsNotAWholeNumberTheFieldHolds_IsA400SayingWhich(string route, string field, string written, string message)
    {
        var account = await Host.CreateAccountAsync();
        var method = route == "/webhooks/none-such/rotate-secret" ? HttpMethod.Post : HttpMethod.Put;

        var problem = await Host.SendJsonAsync(method, $"/api/accounts/{account}{route}", Host.AdminKey,
            $$"""{"{{field}}":{{written}}}""", HttpStatusCode.BadRequest);

        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>A backtest's bar count is read the same way, before the backtest's own range is checked.</summary>
    [Theory]
    [InlineData("2.5", "Must be a whole number.")]
    [InlineData("1e12", "Must be a whole number between -2147483648 and 2147483647.")]
    public async Task ABacktestsBarCount_ThatIsNoWholeNumberItHolds_IsA400SayingWhich(string written, string message)
    {
        var problem = await Host.SendJsonAsync(HttpMethod.Post, "/api/backtests", Host.AdminKey,
            $$"""{"kind":"sma-crossover","symbols":["JEM"],"parameters":{"quantity":"10"},"bars":{{written}}}""", HttpStatusCode.BadRequest);

        Assert.Equal([message], problem.GetProperty("errors").GetProperty("bars").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>The reading is a custom converter; the document still says these fields are integers, as the generator would.</summary>
    [Fact]
    public async Task TheOpenApiDocument_StillDescribesWholeNumberFieldsAsIntegers()
    {
        var document = await Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);

        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (schema, property, format) in new[]
        {
            ("RiskLimitsRequest", "maxOpenOrders", "int32"), ("BreakerPolicyRequest", "minErrorSamples", "int32"),
            ("RotateWebhookSecretRequest", "previousSecretValidForSeconds", "int64"),
        })
        {
            var field = schemas.GetProperty(schema).GetProperty("properties").GetProperty(property);
            Assert.Equal(["integer", "null"], field.GetProperty("type").EnumerateArray().Select(t => t.GetString()).Order(StringComparer.Ordinal));
            Assert.Equal(format, field.GetProperty("format").GetString());
        }
    }
}

using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md: money and quantities are decimals, never rounded on the way in. A JSON number with more significant digits
/// than a decimal holds is a 400 naming the field, not an amount silently rounded to a neighbour.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class DecimalPrecisionTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("100.0000000000000000000000000001")]
    [InlineData("9.0000000000000000000000000001")]
    [InlineData("1E-30")]
    public async Task ATransferAmountADecimalCannotHold_IsA400NamingAmount_AndNothingIsTransferred(string amount)
    {
        var account = await Host.CreateAccountAsync();

        using var response = await Host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Host.AdminKey,
            $$"""{"transferId":"t1","amount":{{amount}}}""");

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"amount {amount}: {(int)response.StatusCode} {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("amount", out _), body);
        var transfers = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/transfers", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(0, transfers.GetArrayLength());
    }

    [Fact]
    public async Task ARiskLimitADecimalCannotHold_IsA400NamingIt_AndTheLimitIsUnchanged()
    {
        var account = await Host.CreateAccountAsync();
        var before = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/risk", Host.AdminKey, null, HttpStatusCode.OK);

        using var response = await Host.SendAsync(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey,
            """{"maxOrderNotional":9.0000000000000000000000000001}""");

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{(int)response.StatusCode} {body}");
        Assert.True(JsonDocument.Parse(body).RootElement.GetProperty("errors").TryGetProperty("maxOrderNotional", out _), body);
        var after = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/risk", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(before.GetProperty("maxOrderNotional").GetDecimal(), after.GetProperty("maxOrderNotional").GetDecimal());
    }

    /// <summary>Numbers a decimal holds exactly, in any JSON spelling, are still taken as they are.</summary>
    [Theory]
    [InlineData("25000.5", "25000.50")]
    [InlineData("0.1e1", "1")]
    [InlineData("1E2", "100")]
    [InlineData("-12.340", "-12.34")]
    public async Task ATransferAmountADecimalHolds_IsTakenExactly(string amount, string expected)
    {
        var account = await Host.CreateAccountAsync();

        var transfer = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Host.AdminKey,
            $$"""{"transferId":"t1","amount":{{amount}}}""", HttpStatusCode.Created);

        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture), transfer.GetProperty("amount").GetDecimal());
    }

    /// <summary>The exact reading is a custom converter; the OpenAPI document still describes money and quantities as numbers.</summary>
    [Fact]
    public async Task TheOpenApiDocument_StillDescribesDecimalsAsNumbers()
    {
        var document = await Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);

        var schemas = document.GetProperty("components").GetProperty("schemas");
        foreach (var (schema, property) in new[] { ("TransferCashRequest", "amount"), ("PlaceOrderRequest", "quantity") })
        {
            var type = schemas.GetProperty(schema).GetProperty("properties").GetProperty(property).GetProperty("type");
            Assert.Contains("number", type.EnumerateArray().Select(t => t.GetString()));
        }
    }

    [Theory]
    [InlineData("0", 0, true)]
    [InlineData("-0", 0, true)]
    [InlineData("0.000e5", 0, true)]
    [InlineData("1e-30", 0, false)]
    [InlineData("79228162514264337593543950335", 0, true)]
    [InlineData("7.9228162514264337593543950335", 1, true)]
    [InlineData("1.00000000000000000000000000001", 2, false)]
    [InlineData("1e0000000000000000000001", 0, false)]
    public void HoldsExactly_ComparesTheSignificantDigits(string json, int which, bool expected)
    {
        var value = which switch
        {
            0 when json.StartsWith('7') => decimal.MaxValue,
            0 => 0m,
            1 => 7.9228162514264337593543950335m,
            _ => 1m,
        };

        Assert.Equal(expected, ExactDecimalJsonConverter.HoldsExactly(System.Text.Encoding.ASCII.GetBytes(json), value));
    }
}

using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md: a body is validated before any grain is called, so an invalid transfer is 400 whatever the account; and a
/// transfer's amount is money, answered rounded to the cent like the cash after it.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class TransferBodyTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("""{"transferId":"bad id","amount":10}""", "transferId")]
    [InlineData("""{"transferId":"t1","amount":0}""", "amount")]
    [InlineData("""{"transferId":"t1","amount":10.001}""", "amount")]
    [InlineData("""{"transferId":"t1","amount":1e13}""", "amount")]
    [InlineData("""{"transferId":"t1","amount":10,"note":"a\u0007b"}""", "note")]
    public async Task AnInvalidTransfer_ToAnUnknownAccount_IsA400NamingTheField(string body, string field)
    {
        var nobody = GatewayHost.NewId("nobody");

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{nobody}/transfers", Host.AdminKey, body, HttpStatusCode.BadRequest);

        Assert.Equal([field], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name));
    }

    /// <summary>Every field a transfer breaks is named in one answer, as on the other routes.</summary>
    [Fact]
    public async Task ATransferBreakingEveryRule_NamesEveryField()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Host.AdminKey,
            $$"""{"transferId":"{{new string('t', 65)}}","amount":0.001,"note":"{{new string('n', 201)}}"}""", HttpStatusCode.BadRequest);

        Assert.Equal(["amount", "note", "transferId"], problem.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task ATransfersAmount_IsAnsweredToTheCent_WhenMadeRepeatedAndListed()
    {
        var account = await Host.CreateAccountAsync(cash: 1_000m);
        const string Body = """{"transferId":"cents","amount":1.000}""";

        var made = await RawAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Body, HttpStatusCode.Created);
        var repeated = await RawAsync(HttpMethod.Post, $"/api/accounts/{account}/transfers", Body, HttpStatusCode.OK);
        var listed = await RawAsync(HttpMethod.Get, $"/api/accounts/{account}/transfers", null, HttpStatusCode.OK);

        Assert.Contains("\"amount\":1.00,", made, StringComparison.Ordinal);
        Assert.Contains("\"cashAfter\":1001.00", made, StringComparison.Ordinal);
        Assert.Contains("\"amount\":1.00,", repeated, StringComparison.Ordinal);
        Assert.Contains("\"amount\":1.00,", listed, StringComparison.Ordinal);
        Assert.Equal(1.00m, JsonDocument.Parse(listed).RootElement[0].GetProperty("amount").GetDecimal());
    }

    private async Task<string> RawAsync(HttpMethod method, string path, string? body, HttpStatusCode expected)
    {
        using var response = await Host.SendAsync(method, path, Host.AdminKey, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text;
    }
}

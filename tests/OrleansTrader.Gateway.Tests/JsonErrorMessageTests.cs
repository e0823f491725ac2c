using System.Net;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A body the JSON reader refuses is a 400 naming the field (docs/api.md, Errors) with a message that says what is wrong
/// with it: a field the route does not take, a value of the wrong JSON type (and the type wanted), or malformed JSON with
/// where it breaks. One message for all three left a user guessing, e.g. that a strategy parameter is a string.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class JsonErrorMessageTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Theory]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"market","quantity":1,"timeInForce":"day","extra":1}""", "extra", "Unknown field; this route does not take it.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"market","quantity":"1","timeInForce":"day"}""", "quantity", "Must be a number.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":1,"type":"market","quantity":1,"timeInForce":"day"}""", "side", "Must be a string.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"limit","quantity":1,"timeInForce":"day","limitPrice":1e40}""", "limitPrice", "The number is beyond what a decimal holds.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"limit","quantity":1,"timeInForce":"day","limitPrice":1.00000000000000000000000000001}""", "limitPrice", "The number has more significant digits than a decimal holds.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"market","quantity":1,"timeInForce":true}""", "timeInForce", "Must be a string.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"market","quantity":1,"timeInForce":"day","takeProfit":5}""", "takeProfit", "Must be an object.")]
    public async Task OrderBody_NamesTheFieldAndWhatIsWrongWithIt(string body, string field, string message)
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, body, HttpStatusCode.BadRequest);

        Assert.Equal([message], problem.GetProperty("errors").GetProperty(field).EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>
    /// The reader stops at the first field that is wrong, so a body with several names the first in the body's order, and
    /// the next only once that one is put right (docs/api.md, Errors, says why). Whichever comes first is named.
    /// </summary>
    [Theory]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"market","quantity":"1","timeInForce":"day","extra":1}""", "quantity", "Must be a number.")]
    [InlineData("""{"clientOrderId":"j1","symbol":"JEM","side":"buy","type":"market","extra":1,"quantity":"1","timeInForce":"day"}""", "extra", "Unknown field; this route does not take it.")]
    public async Task OrderBodyWithAWrongTypeAndAnUnknownField_NamesTheFirstOfThemInTheBody(string body, string field, string message)
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, body, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal([message], errors.GetProperty(field).EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>
    /// A time without its offset (or a date alone) names no instant: it was read in the silo's own time zone, so one backtest
    /// asked from "2010-01-04T00:00:00" ran on SPY's 2,769 sessions from 4 January on a silo kept in UTC and on 2,768 from
    /// 5 January on one kept in New York's zone. A time with its offset is taken as it says.
    /// </summary>
    [Theory]
    [InlineData("/api/backtests", """{"kind":"sma-crossover","symbols":["JEM"],"parameters":{"quantity":"10"},"start":"2010-01-04T00:00:00","end":"2021-01-01T00:00:00Z"}""", "start")]
    [InlineData("/api/backtests", """{"kind":"sma-crossover","symbols":["JEM"],"parameters":{"quantity":"10"},"end":"2021-01-01"}""", "end")]
    [InlineData("/api/backtests/sweep",
        """{"kind":"sma-crossover","symbols":["JEM"],"parameters":{"quantity":"10"},"grid":{"fastPeriod":["3"]},"validation":{"start":"2011-01-01T00:00:00Z","end":"2021-01-01T00:00:00.5"}}""",
        "validation.end")]
    public async Task BacktestTimeWithoutItsOffset_IsRefused_NotReadInTheSilosTimeZone(string path, string body, string field)
    {
        var problem = await Host.SendJsonAsync(HttpMethod.Post, path, Host.AdminKey, body, HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal(["Must be a date and time in ISO 8601 with its offset, such as 2026-03-02T14:30:00Z or 2026-03-02T09:30:00-05:00."],
            errors.GetProperty(field).EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task StrategyParameterGivenAsANumber_SaysItMustBeAString()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/strategies", Host.AdminKey,
            """{"strategyId":"jem","kind":"sma-crossover","symbols":["JEM"],"parameters":{"quantity":10}}""", HttpStatusCode.BadRequest);

        Assert.Equal(["Must be a string."], problem.GetProperty("errors").GetProperty("parameters.quantity").EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task RiskTimeGivenInAnotherForm_SaysTheFormItTakes()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey, """{"maxQuoteAge":"abc"}""", HttpStatusCode.BadRequest);

        Assert.Equal(["Must be a time as \"hh:mm:ss\"."], problem.GetProperty("errors").GetProperty("maxQuoteAge").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>
    /// A fee model's number out of range is one error under that field's own name, not a second one under "feeModel" in
    /// the domain's words (which name the .NET property, "PerShareRate").
    /// </summary>
    [Theory]
    [InlineData("perShareRate", "-1", "Must be between 0 and 1.")]
    [InlineData("maxPercentOfNotional", "0", "Must be more than 0 and at most 100.")]
    [InlineData("basisPoints", "10001", "Must be between 0 and 10000.")]
    public async Task FeeModelValueOutOfRange_IsOneErrorNamingTheField(string field, string value, string message)
    {
        var problem = await Host.SendJsonAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey,
            $$$"""{"name":"fees","initialCash":1,"feeModel":{"kind":"perShare","{{{field}}}":{{{value}}}}}""", HttpStatusCode.BadRequest);

        var errors = problem.GetProperty("errors");
        Assert.Equal(["feeModel." + field], errors.EnumerateObject().Select(e => e.Name));
        Assert.Equal([message], errors.GetProperty("feeModel." + field).EnumerateArray().Select(m => m.GetString()));
    }

    [Fact]
    public async Task MalformedJson_SaysSoAndWhere()
    {
        var account = await Host.CreateAccountAsync();

        var problem = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey,
            "{\"clientOrderId\":\"j1\",\n\"symbol\":\"JEM\" \"side\":\"buy\"}", HttpStatusCode.BadRequest);

        var message = Assert.Single(problem.GetProperty("errors").GetProperty("body").EnumerateArray()).GetString();
        Assert.Equal("Malformed JSON at line 2, byte 16.", message);
    }
}

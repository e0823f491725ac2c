using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Gateway.Validation;

namespace OrleansTrader.Gateway.Tests;

/// <summary>Gateway edge cases: a bad webhook id in the path, a sweep grid whose run count overflows, a key revoked while its event stream is open, concurrent openings of one account.</summary>
[Collection(GatewayCollection.Name)]
public sealed class GatewayEdgeCaseTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    /// <summary>
    /// docs/api.md: an order that cannot be replaced or canceled is 409. A working order can be in a state that refuses it
    /// (its cancel or replace still pending, not yet acknowledged): that refusal is the same conflict, not a 422.
    /// </summary>
    [Theory]
    [InlineData(Domain.Orders.OrderTransitionReasons.CancelAlreadyPending)]
    [InlineData(Domain.Orders.OrderTransitionReasons.ReplaceAlreadyPending)]
    [InlineData(Domain.Orders.OrderTransitionReasons.NotAcknowledged)]
    [InlineData(Domain.Orders.OrderTransitionReasons.OrderIsFinal)]
    public void AnOrderStateThatRefusesAReplaceOrCancel_IsA409_KeepingItsReason(string reason)
    {
        var problem = Apis.ApiProblems.FromCode(reason, "refused");

        Assert.Equal(409, problem.StatusCode);
        Assert.Equal(reason, problem.ProblemDetails.Extensions["reason"]);
    }

    /// <summary>A webhook id in the path is checked like every other path id: 400, never a 500.</summary>
    [Theory]
    [InlineData("GET", "%20")]
    [InlineData("DELETE", "%20")]
    [InlineData("POST", "%20/resume")]
    [InlineData("POST", "%20/rotate-secret")]
    [InlineData("GET", "%E2%80%83")]
    public async Task AMalformedWebhookIdInThePath_IsA400_NotA500(string method, string suffix)
    {
        var account = await Host.CreateAccountAsync();

        using var response = await Host.SendAsync(new HttpMethod(method), $"/api/accounts/{account}/webhooks/{suffix}", Host.AdminKey);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{method} .../webhooks/{suffix}: {(int)response.StatusCode} {body}");
    }

    /// <summary>
    /// Bars up to a "to" within the first hour of the calendar have no full default hour before it: the range starts at the
    /// earliest time (an empty range is a 400 naming "from"), never a 500 from computing a start before it.
    /// </summary>
    [Theory]
    [InlineData("to=0001-01-01T00:00:00Z", HttpStatusCode.BadRequest)]
    [InlineData("to=0001-01-01T00:30:00Z", HttpStatusCode.OK)]
    [InlineData("interval=1s&to=0001-01-01T00:59:59Z", HttpStatusCode.OK)]
    public async Task BarsUpToTheEarliestHour_WithoutAFrom_AreAnsweredNotA500(string query, HttpStatusCode expected)
    {
        using var response = await Host.SendAsync(HttpMethod.Get, $"/api/symbols/EDGE/bars?{query}", Host.AdminKey);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"bars?{query}: {(int)response.StatusCode} {body}");
        if (expected == HttpStatusCode.OK)
        {
            Assert.Equal("[]", body);
        }
        else
        {
            var errors = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("errors");
            Assert.Equal("Must be before \"to\" and at most 7 days earlier.", Assert.Single(errors.GetProperty("from").EnumerateArray()).GetString());
        }
    }

    /// <summary>
    /// A bars range given without its offset was read in the silo's own time zone: the same query asked for other bars on a
    /// silo kept in New York's zone than on one kept in UTC. It is refused naming the field, as a body's time is.
    /// </summary>
    [Theory]
    [InlineData("from=2026-03-02T14:00:00&to=2026-03-02T15:00:00Z", "from")]
    [InlineData("from=2026-03-02T14:00:00Z&to=2026-03-02T15:00:00", "to")]
    [InlineData("to=2026-03-02", "to")]
    public async Task BarsRangeWithoutItsOffset_IsRefusedNamingTheField_NotReadInTheSilosTimeZone(string query, string field)
    {
        using var response = await Host.SendAsync(HttpMethod.Get, $"/api/symbols/EDGE/bars?{query}", Host.AdminKey);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"bars?{query}: {(int)response.StatusCode} {body}");
        var errors = System.Text.Json.JsonDocument.Parse(body).RootElement.GetProperty("errors");
        Assert.Equal([field], errors.EnumerateObject().Select(e => e.Name));
    }

    /// <summary>
    /// A "to" in the calendar's first hours at a western offset is a valid instant whose default hour before it is too
    /// (in UTC): it is read, never a 500 from subtracting the hour from the local time as given, which would fall before year 1.
    /// </summary>
    [Theory]
    [InlineData("to=0001-01-01T00:00:00-14:00")]
    [InlineData("to=0001-01-01T00:30:00-01:00")]
    [InlineData("interval=1s&to=0001-01-01T00:00:00-05:00")]
    public async Task BarsUpToATimeInTheCalendarsFirstHoursAtAWesternOffset_AreRead_NotA500(string query)
    {
        using var response = await Host.SendAsync(HttpMethod.Get, $"/api/symbols/EDGE/bars?{query}", Host.AdminKey);

        var body = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"bars?{query}: {(int)response.StatusCode} {body}");
        Assert.Equal("[]", body);
    }

    /// <summary>
    /// A JSON body whose Content-Type names a charset no encoding answers to is a 415 asking for JSON, on every route that
    /// reads a body, never a 500 from the framework's reading; a known charset, quoted too (valid HTTP, a 500 before), is read.
    /// </summary>
    [Theory]
    [InlineData("PUT", "risk", "{}")]
    [InlineData("POST", "orders/preview", "{\"symbol\":\"EDGE\"}")]
    [InlineData("POST", "transfers", "{\"transferId\":\"t1\",\"amount\":1}")]
    public async Task ABodyInACharsetNoEncodingAnswersTo_IsA415_AndAQuotedKnownOneIsRead_NotA500(string method, string route, string body)
    {
        var account = await Host.CreateAccountAsync();

        using var request = Host.Request(new HttpMethod(method), $"/api/accounts/{account}/{route}", Host.AdminKey, body);
        request.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=nonsense");
        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{method} .../{route}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Send the body as application/json.", System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("title").GetString());

        using var known = Host.Request(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey, "{}");
        known.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse("application/json; charset=\"UTF-8\"");
        using var read = await Host.Client.SendAsync(known, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
    }

    /// <summary>
    /// A body sent as another media type (curl -d without -H "Content-Type: application/json" sends a form) is a 415 that
    /// says what to send, as the one for an unknown charset does, not the framework's bare "Unsupported Media Type".
    /// </summary>
    [Theory]
    [InlineData("text/plain")]
    [InlineData("application/x-www-form-urlencoded")]
    public async Task ABodyOfAnotherMediaType_IsA415_ThatAsksForJson(string mediaType)
    {
        var account = await Host.CreateAccountAsync();

        using var request = Host.Request(HttpMethod.Put, $"/api/accounts/{account}/risk", Host.AdminKey, "{}");
        request.Content!.Headers.ContentType = System.Net.Http.Headers.MediaTypeHeaderValue.Parse(mediaType);
        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.UnsupportedMediaType, $"{mediaType}: {(int)response.StatusCode} {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal("Send the body as application/json.", System.Text.Json.JsonDocument.Parse(text).RootElement.GetProperty("title").GetString());
    }

    /// <summary>
    /// A symbol in the path or the query that breaks the ticker rule (a lower-case "aapl") is told the rule, as the same
    /// symbol in a body is, not only that it is not "a valid ticker".
    /// </summary>
    [Theory]
    [InlineData("/api/symbols/aapl/quote")]
    [InlineData("/api/accounts/{0}/positions/aapl")]
    [InlineData("/api/accounts/{0}/trades?symbol=aapl")]
    public async Task ASymbolInThePathOrQueryThatBreaksTheRule_IsTheRule(string route)
    {
        var account = await Host.CreateAccountAsync();
        var method = route.Contains("positions", StringComparison.Ordinal) ? HttpMethod.Delete : HttpMethod.Get;

        var problem = await Host.SendJsonAsync(method, string.Format(System.Globalization.CultureInfo.InvariantCulture, route, account), Host.AdminKey, null,
            HttpStatusCode.BadRequest);

        Assert.Equal(
            ["Must be a ticker: 1 to 10 upper-case letters and digits starting with a letter, with an optional single '.' or '/' class separator."],
            problem.GetProperty("errors").GetProperty("symbol").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>A grid whose run count overflows a long (16 parameters of 16 values: 16^16 = 2^64) is refused, not taken for 0 runs.</summary>
    [Fact]
    public void ASweepGridWhoseRunCountOverflows_IsRefused()
    {
        var values = Enumerable.Range(0, 16).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToList();
        var grid = Enumerable.Range(0, 16).ToDictionary(i => $"p{i}", IReadOnlyList<string> (_) => values);
        var errors = new ValidationErrors();

        var sweep = RequestMapping.ToRunBacktestSweep(new RunBacktestSweepRequest { Kind = "sma-crossover", Symbols = ["AAA"], Grid = grid }, errors);

        Assert.Null(sweep);
        Assert.False(errors.IsEmpty);
    }

    /// <summary>
    /// Parameter names are case-insensitive (the kinds read them so): a swept name that differs from a fixed one only in case
    /// is a parameter both fixed and swept, a 400 as docs/api.md says, not a sweep whose every run the kind refuses (422).
    /// </summary>
    [Fact]
    public void AParameterFixedAndSwept_InAnotherCase_IsRefused()
    {
        var errors = new ValidationErrors();

        var sweep = RequestMapping.ToRunBacktestSweep(
            new RunBacktestSweepRequest
            {
                Kind = "sma-crossover", Symbols = ["AAA"], Parameters = new Dictionary<string, string> { ["quantity"] = "10" },
                Grid = new Dictionary<string, IReadOnlyList<string>> { ["Quantity"] = ["5"] },
            },
            errors);

        Assert.Null(sweep);
        Assert.False(errors.IsEmpty);
    }

    /// <summary>A key revoked while its event stream is open stops receiving the account's events.</summary>
    [Fact]
    public async Task ARevokedKey_StopsReceivingTheAccountsEvents_OnAnOpenStream()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("AUDR", 30m, 30.01m);
        var (key, keyId) = await Host.IssueKeyAsync(["trader"], [account]);
        using var request = Host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", key);
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
        using var response = await Host.Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var reader = new SseReader(request, response, await response.Content.ReadAsStreamAsync(TestContext.Current.CancellationToken));

        using (var revoked = await Host.SendAsync(HttpMethod.Delete, $"/api/keys/{keyId}", Host.AdminKey))
        {
            Assert.Equal(HttpStatusCode.NoContent, revoked.StatusCode);
        }

        using (var refused = await Host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, refused.StatusCode);
        }

        await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId = "after-revoke", symbol = "AUDR", side = "buy", type = "market", quantity = 1, timeInForce = "day",
        }, HttpStatusCode.Created);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(8));
        SseEvent? leaked = null;
        try
        {
            while (leaked is null)
            {
                var next = await reader.NextAsync(timeout.Token);
                if (next.Id is not null)
                {
                    leaked = next;
                }
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or EndOfStreamException or IOException or HttpRequestException)
        {
            // The stream ended or stayed silent: nothing leaked.
        }

        Assert.True(leaked is null, $"The revoked key's stream still delivered: {leaked}");
    }

    /// <summary>
    /// A client order id may have 128 characters, and a replace without one names its replacement after it: the id first
    /// placed with "-r{orderId}" appended passed the 128 and the replace was refused 422 ORDER_INVALID
    /// (CLIENT_ORDER_ID_INVALID) for an id the client never sent. The replacement keeps as much of the id as fits.
    /// </summary>
    [Fact]
    public async Task AnOrderWithA128CharacterClientOrderId_IsReplaced_WithoutANewId()
    {
        var account = await Host.CreateAccountAsync();
        await Host.QuoteAsync("AUDL", 50m, 50.02m);
        var clientOrderId = "L" + new string('x', 127);
        var placed = await Host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, new
        {
            clientOrderId, symbol = "AUDL", side = "buy", type = "limit", quantity = 10, limitPrice = 49m, timeInForce = "gtc",
        }, HttpStatusCode.Created);
        var orderId = placed.GetProperty("orderId").GetString();
        await AcknowledgedAsync(account, orderId);
        var replaced = await Host.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{account}/orders/{orderId}", Host.AdminKey, new { limitPrice = 48m },
            HttpStatusCode.OK);

        var replacementId = replaced.GetProperty("orderId").GetString();
        var suffix = "-r" + replacementId;
        Assert.Equal(clientOrderId[..(128 - suffix.Length)] + suffix, replaced.GetProperty("clientOrderId").GetString());
        var found = await Host.SendJsonAsync(HttpMethod.Get,
            $"/api/accounts/{account}/orders?clientOrderId={replaced.GetProperty("clientOrderId").GetString()}", Host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(replacementId, Assert.Single(found.EnumerateArray()).GetProperty("orderId").GetString());

        // Replaced again, its id stays the same length: the kept part of the first id, then the newest replacement's id.
        await AcknowledgedAsync(account, replacementId);
        var again = await Host.SendJsonAsync(HttpMethod.Patch, $"/api/accounts/{account}/orders/{replacementId}", Host.AdminKey, new { limitPrice = 47m },
            HttpStatusCode.OK);
        var againSuffix = "-r" + again.GetProperty("orderId").GetString();
        Assert.Equal(clientOrderId[..(128 - againSuffix.Length)] + againSuffix, again.GetProperty("clientOrderId").GetString());
    }

    /// <summary>Reads the order until the broker has acknowledged it (a replace needs that), at most 200 reads.</summary>
    private async Task AcknowledgedAsync(string account, string? orderId)
    {
        for (var read = 0; read < 200; read++)
        {
            var order = await Host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/orders/{orderId}", Host.AdminKey, null, HttpStatusCode.OK);
            if (order.GetProperty("brokerOrderId").ValueKind == JsonValueKind.String && !order.GetProperty("inFlight").GetBoolean())
            {
                return;
            }

            await Task.Delay(50, TestContext.Current.CancellationToken);
        }

        Assert.Fail($"Order {orderId} was not acknowledged by the broker.");
    }

    /// <summary>
    /// A key's account of the wrong form (a space in it, a null) was refused with "At most 100 account ids", whatever their
    /// number: a 400's message says the rule the value breaks (docs/api.md, "Errors"). More than 100 keep their message.
    /// </summary>
    [Fact]
    public async Task AKeyNamingAnAccountIdOfTheWrongForm_IsRefused_WithTheIdRule()
    {
        foreach (var accounts in new[] { new string?[] { "alice smith" }, [null], ["*", "a/b"] })
        {
            var problem = await Host.SendJsonAsync(HttpMethod.Post, "/api/keys", Host.AdminKey, new { name = "k", roles = new[] { "trader" }, accounts },
                HttpStatusCode.BadRequest);
            Assert.Equal(
                ["Each must be an account id, 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_', or \"*\" for every account."],
                problem.GetProperty("errors").GetProperty("accounts").EnumerateArray().Select(m => m.GetString()));
        }

        var many = await Host.SendJsonAsync(HttpMethod.Post, "/api/keys", Host.AdminKey,
            new { name = "k", roles = new[] { "trader" }, accounts = Enumerable.Range(0, 101).Select(i => $"a{i}").ToArray() }, HttpStatusCode.BadRequest);
        Assert.Equal(["At most 100 account ids (or \"*\" for every account)."],
            many.GetProperty("errors").GetProperty("accounts").EnumerateArray().Select(m => m.GetString()));
    }

    /// <summary>
    /// Concurrent POST /api/accounts of one account id answer as a sequential repeat does: one 201, every other 409
    /// ACCOUNT_ALREADY_OPEN (a repeat must not look like a second opening, whichever request the account served first).
    /// </summary>
    [Fact]
    public async Task ConcurrentCreationsOfOneAccount_AnswerOne201_AndTheOthers409()
    {
        for (var round = 0; round < 5; round++)
        {
            var id = GatewayHost.NewId("race");
            var body = new { accountId = id, name = "Race " + id, initialCash = 10_000m, currency = "USD", broker = "paper" };
            var responses = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Host.SendAsync(HttpMethod.Post, "/api/accounts", Host.AdminKey, body)));
            try
            {
                var codes = responses.Select(r => (int)r.StatusCode).ToList();
                Assert.True(codes.Count(c => c == 201) == 1 && codes.Count(c => c == 409) == 7, $"round {round}: {string.Join(", ", codes)}");
                foreach (var conflict in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
                {
                    var text = await conflict.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
                    Assert.Contains("ACCOUNT_ALREADY_OPEN", text, StringComparison.Ordinal);
                }
            }
            finally
            {
                foreach (var response in responses)
                {
                    response.Dispose();
                }
            }
        }
    }
}

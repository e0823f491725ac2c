using System.Net;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Every error is a problem (docs/api.md, Errors) of one shape: <c>type</c>, <c>title</c>, <c>status</c> and
/// <c>correlationId</c>, whichever part of the gateway answers it. The framework fills <c>type</c> only for the statuses it
/// knows; a 429 (every rate limit) and a 413 had none, so a client that dispatches on <c>type</c> fell through.
/// </summary>
public sealed class ProblemShapeTests
{
    [Fact]
    public async Task EveryKindOfProblem_HasTypeTitleStatusAndCorrelationId()
    {
        await using var host = await GatewayHost.StartAsync(new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:AnonymousPermitsPerWindow"] = "3",
            ["Gateway:RateLimits:Window"] = "01:00:00",
        });
        var account = await host.CreateAccountAsync();

        await AssertProblemAsync(host, HttpMethod.Get, "/api/accounts/no-such-account", host.AdminKey, null, HttpStatusCode.NotFound);
        await AssertProblemAsync(host, HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, "{\"note\":\"" + new string('x', 20_000) + "\"}",
            HttpStatusCode.RequestEntityTooLarge);
        await AssertProblemAsync(host, HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, "{", HttpStatusCode.BadRequest);

        // No key: three 401s take the anonymous window's permits, and the fourth is refused by the limit.
        await AssertProblemAsync(host, HttpMethod.Get, "/api/accounts", null, null, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(host, HttpMethod.Get, "/api/accounts", null, null, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(host, HttpMethod.Get, "/api/accounts", null, null, HttpStatusCode.Unauthorized);
        await AssertProblemAsync(host, HttpMethod.Get, "/api/accounts", null, null, HttpStatusCode.TooManyRequests);
    }

    [Fact]
    public async Task Unauthorized_IsAProblemTitledAsASentence_AsTheGatewaysOwnProblemsAre()
    {
        await using var host = await GatewayHost.StartAsync();

        using var response = await host.SendAsync(HttpMethod.Get, "/api/accounts", null, null);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Bearer", response.Headers.WwwAuthenticate.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        Assert.Equal("https://tools.ietf.org/html/rfc9110#section-15.5.2", problem.GetProperty("type").GetString());
        Assert.Equal("Unauthorized.", problem.GetProperty("title").GetString());
        Assert.Equal(401, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task StatusCodePages_TitleTheirProblemsAsSentences()
    {
        await using var host = await GatewayHost.StartAsync();

        // An unknown route and a known one with the wrong method are answered by the framework's status code pages.
        using var unknownRoute = await host.SendAsync(HttpMethod.Get, "/api/no-such-route", host.AdminKey, null);
        using var wrongMethod = await host.SendAsync(HttpMethod.Put, "/api/accounts", host.AdminKey, null);

        Assert.Equal(HttpStatusCode.NotFound, unknownRoute.StatusCode);
        Assert.Equal("Not found.", await TitleAsync(unknownRoute));
        Assert.Equal(HttpStatusCode.MethodNotAllowed, wrongMethod.StatusCode);
        Assert.Equal("Method not allowed.", await TitleAsync(wrongMethod));
    }

    private static async Task<string?> TitleAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken)).RootElement.GetProperty("title").GetString();

    private static async Task AssertProblemAsync(GatewayHost host, HttpMethod method, string path, string? key, object? body, HttpStatusCode expected)
    {
        using var response = await host.SendAsync(method, path, key, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(text).RootElement;
        foreach (var field in new[] { "type", "title", "correlationId" })
        {
            Assert.True(problem.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.String && value.GetString()!.Length > 0,
                $"{(int)expected} has no {field}: {text}");
        }

        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("title").GetString()!.EndsWith('.'), $"{(int)expected}'s title is not a sentence: {text}");
    }
}

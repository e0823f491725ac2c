using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md: only a salted hash of a key is stored, and the console line of the generated admin key is the only place a
/// plain key appears ("it is not logged"). Every log line of a key's life, at every level, is read for it here.
/// </summary>
public sealed class KeyLoggingTests
{
    [Fact]
    public async Task NoLogLine_AtAnyLevel_HoldsAKeyOrItsSecret_ThroughAKeysWholeLife()
    {
        var logs = new CapturingLoggerProvider();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?> { ["Logging:LogLevel:Default"] = "Trace" },
            services: services => services.AddSingleton<ILoggerProvider>(logs));
        var account = await host.CreateAccountAsync();
        var other = await host.CreateAccountAsync();
        var (key, keyId) = await host.IssueKeyAsync(["trader"], [account]);

        // Used, refused for another account, with one character changed (unknown), malformed, on an event stream, on a
        // backtest, then revoked and refused.
        await Expect(host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key), HttpStatusCode.OK);
        await Expect(host.SendAsync(HttpMethod.Get, $"/api/accounts/{other}", key), HttpStatusCode.Forbidden);
        await Expect(host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key[..^1] + (key[^1] == 'A' ? 'B' : 'A')), HttpStatusCode.Unauthorized);
        using (var malformed = host.Request(HttpMethod.Get, $"/api/accounts/{account}", null))
        {
            malformed.Headers.TryAddWithoutValidation("Authorization", $"Bearer {key} {key}");
            await Expect(host.Client.SendAsync(malformed, TestContext.Current.CancellationToken), HttpStatusCode.Unauthorized);
        }

        using (var events = host.Request(HttpMethod.Get, $"/api/accounts/{account}/events", key))
        {
            events.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("text/event-stream"));
            await Expect(host.Client.SendAsync(events, HttpCompletionOption.ResponseHeadersRead, TestContext.Current.CancellationToken), HttpStatusCode.OK);
        }

        await Expect(host.SendAsync(HttpMethod.Post, "/api/backtests", key, new { kind = "sma-crossover", symbols = new[] { "LOGK" }, parameters = new { quantity = "1" } }),
            HttpStatusCode.UnprocessableEntity);
        await Expect(host.SendAsync(HttpMethod.Delete, $"/api/keys/{keyId}", host.AdminKey), HttpStatusCode.NoContent);
        await Expect(host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}", key), HttpStatusCode.Unauthorized);

        var lines = logs.Lines.ToList();
        Assert.Contains(lines, l => l.Contains(keyId, StringComparison.Ordinal)); // the key id may be logged, and is: the capture works
        foreach (var secret in new[] { key, key["ot_".Length..], host.AdminKey!, host.AdminKey!["ot_".Length..] })
        {
            var leaked = lines.FirstOrDefault(l => l.Contains(secret, StringComparison.Ordinal));
            Assert.True(leaked is null, $"a log line holds a key: {leaked}");
        }
    }

    private static async Task Expect(Task<HttpResponseMessage> sent, HttpStatusCode expected)
    {
        using var response = await sent;
        Assert.Equal(expected, response.StatusCode);
    }

    /// <summary>Every message, with its exception and the scopes it was logged in, as text.</summary>
    private sealed class CapturingLoggerProvider : ILoggerProvider, ISupportExternalScope
    {
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public ConcurrentQueue<string> Lines { get; } = new();

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public void Dispose()
        {
        }

        private sealed class Logger(CapturingLoggerProvider provider, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => provider._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var text = new System.Text.StringBuilder($"{category} {eventId.Id} {formatter(state, exception)} {state} {exception}");
                if (state is IEnumerable<KeyValuePair<string, object?>> properties)
                {
                    foreach (var (name, value) in properties)
                    {
                        text.Append(' ').Append(name).Append('=').Append(value);
                    }
                }

                provider._scopes.ForEachScope((scope, line) => line.Append(" scope=").Append(scope), text);
                provider.Lines.Enqueue(text.ToString());
            }
        }
    }
}

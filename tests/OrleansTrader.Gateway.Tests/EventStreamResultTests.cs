using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The SSE loop against a scripted account history (pages it could not be made to serve on cue otherwise).</summary>
public sealed class EventStreamResultTests
{
    [Fact]
    public async Task EventStream_AnnouncesEveryGap_WhenPruningOvertakesASlowCatchUpAgain()
    {
        using var ended = new CancellationTokenSource();
        var pages = new Queue<AccountEventPage>(
        [
            Page(oldest: 10, last: 40, truncated: true, 10),
            // Pruned past the reader again while it caught up: events 11 to 19 are gone too.
            Page(oldest: 20, last: 40, truncated: true, 20),
        ]);
        var account = ScriptedAccount.Create(pages, ended);

        var written = await RunAsync(account, ended);

        var blocks = written.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(
            ["event: truncated\ndata: {\"requestedAfter\":0,\"oldestSequence\":10}", "id: 10", "event: truncated\ndata: {\"requestedAfter\":10,\"oldestSequence\":20}", "id: 20"],
            blocks.Select(b => b.StartsWith("id: ", StringComparison.Ordinal) ? b.Split('\n')[0] : b));
    }

    private static AccountEventPage Page(long oldest, long last, bool truncated, params long[] sequences) => new()
    {
        Events = [.. sequences.Select(s => new AccountEvent { Sequence = s, AccountId = "acct", Timestamp = DateTimeOffset.UnixEpoch, Kind = AccountEventKind.BreakerChanged })],
        OldestSequence = oldest,
        LastSequence = last,
        Truncated = truncated,
    };

    private static async Task<string> RunAsync(IAccountGrain account, CancellationTokenSource ended)
    {
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var body = new MemoryStream();
        var http = new DefaultHttpContext { RequestServices = services, RequestAborted = ended.Token };
        http.Response.Body = body;
        var options = new GatewayEventStreamOptions { PageSize = 1 };
        var result = new EventStreamResult("acct", 0, account, null, options, TimeProvider.System,
            new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<EventStreamResult>.Instance);

        await result.ExecuteAsync(http);
        return Encoding.UTF8.GetString(body.ToArray());
    }

    /// <summary>Answers GetEventsAsync from a script and ends the request once the script is read; nothing else is called.</summary>
    public class ScriptedAccount : DispatchProxy
    {
        private Queue<AccountEventPage> _pages = null!;
        private CancellationTokenSource _ended = null!;

        public static IAccountGrain Create(Queue<AccountEventPage> pages, CancellationTokenSource ended)
        {
            var account = DispatchProxy.Create<IAccountGrain, ScriptedAccount>();
            var scripted = (ScriptedAccount)(object)account;
            scripted._pages = pages;
            scripted._ended = ended;
            return account;
        }

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            Assert.Equal(nameof(IAccountGrain.GetEventsAsync), targetMethod?.Name);
            if (_pages.TryDequeue(out var page))
            {
                return Task.FromResult(page);
            }

            _ended.Cancel();
            return Task.FromResult(new AccountEventPage { Events = [], OldestSequence = 20, LastSequence = 40, Truncated = false });
        }
    }
}

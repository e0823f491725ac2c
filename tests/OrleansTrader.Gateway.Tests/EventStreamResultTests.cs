using System.Reflection;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The SSE loop against a scripted account history (pages it could not be made to serve on cue otherwise).</summary>
public sealed class EventStreamResultTests
{
    // Set in one test's own async context: first-chance exceptions are seen process-wide, other tests' included.
    private static readonly AsyncLocal<bool> StreamUnderTest = new();

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

    [Fact]
    public async Task EventStream_EndsAndAbortsTheConnection_WhenTheClientTakesNoWrite()
    {
        // A client that stopped reading: the socket's buffers are full, so the write waits until it is canceled. Without a
        // bound of its own the stream held its connection, its key's slot and a page until the server's minimum data rate
        // gave up, which after megabytes sent is hours away.
        using var ended = new CancellationTokenSource();
        var account = ScriptedAccount.Create(new Queue<AccountEventPage>([Page(oldest: 1, last: 1, truncated: false, 1)]), ended);
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        var lifetime = new RecordingLifetime { RequestAborted = ended.Token };
        var http = new DefaultHttpContext { RequestServices = services };
        http.Features.Set<IHttpRequestLifetimeFeature>(lifetime);
        await using var body = new UnreadBody();
        http.Response.Body = body;
        var options = new GatewayEventStreamOptions { PageSize = 1, WriteTimeout = TimeSpan.FromSeconds(1) };
        var result = new EventStreamResult("acct", 0, account, null, options, TimeProvider.System,
            new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<EventStreamResult>.Instance);

        // The bound is generous: the write never completes, so only the stream's own timeout can end it.
        await result.ExecuteAsync(http).WaitAsync(TimeSpan.FromMinutes(2), TestContext.Current.CancellationToken);

        Assert.Equal(1, body.WritesStarted);
        Assert.True(lifetime.Aborted, "The connection of a client that took no write must be aborted, not left to the server.");
    }

    /// <summary>
    /// The heartbeat keeps a quiet stream's connection alive through proxies that close idle ones. It was timed on the wall
    /// clock: set back an hour (an operator's mistake, NTP stepping a clock that ran fast), the stream sent none for an
    /// hour and 15 s.
    /// </summary>
    [Fact]
    public async Task EventStream_SendsItsHeartbeat_WhenTheWallClockIsSetBackAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        using var ended = new CancellationTokenSource();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var body = new SignallingBody();
        var http = new DefaultHttpContext { RequestServices = services, RequestAborted = ended.Token };
        http.Response.Body = body;
        var options = new GatewayEventStreamOptions { HeartbeatInterval = TimeSpan.FromSeconds(15), PollInterval = TimeSpan.FromSeconds(2) };
        var quiet = ScriptedAccount.Create(new Queue<AccountEventPage>(Enumerable.Repeat(Page(oldest: 1, last: 0, truncated: false), 100)), ended);
        var result = new EventStreamResult("acct", 0, quiet, null, options, clock,
            new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<EventStreamResult>.Instance);
        var run = result.ExecuteAsync(http);
        await time.WaitForActiveTimerCountAsync(1);

        // Advanced a poll at a time until the heartbeat is written, for at most 36 s of the fake clock (it is due after 15).
        // One timer armed is not proof the loop is parked on its poll: a write arms its own timeout, and on a busy machine
        // the test then ran its polls ahead and read the body before the write landed (`Actual ""`). So the test waits for
        // the write itself, whatever the timers show. Timed on the wall clock, no heartbeat came within the hour.
        clock.Skew = -TimeSpan.FromHours(1);
        for (var polls = 0; polls < 18 && !body.Written.IsCompleted; polls++)
        {
            time.Advance(options.PollInterval);
            await Task.WhenAny(body.Written, time.WaitForActiveTimerCountAsync(1));
        }

        var landed = await Task.WhenAny(body.Written, Task.Delay(TimeSpan.FromSeconds(30), TimeProvider.System, TestContext.Current.CancellationToken));
        Assert.True(landed == body.Written, "No heartbeat within 36 s of the fake clock (due after 15 s) and 30 s of real time.");
        var written = Encoding.UTF8.GetString(body.ToArray());
        await ended.CancelAsync();
        await run;
        Assert.Equal(": heartbeat\n\n", written);
    }

    /// <summary>
    /// An idle stream's poll waited for the account's signal with a token its poll timeout canceled: every idle poll ended
    /// in a thrown and caught OperationCanceledException, one per open stream every 2 s (cost, and noise in a debugger that
    /// breaks on thrown exceptions). Counted here in this test's own async context only, so other tests' exceptions do not.
    /// </summary>
    [Fact]
    public async Task EventStream_IdlePolls_ThrowNoException_AndAnEventStillArrives_AndADisconnectEndsIt()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        using var ended = new CancellationTokenSource();
        using var services = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var body = new SignallingBody();
        var http = new DefaultHttpContext { RequestServices = services, RequestAborted = ended.Token };
        http.Response.Body = body;
        var options = new GatewayEventStreamOptions { HeartbeatInterval = TimeSpan.FromHours(1), PollInterval = TimeSpan.FromSeconds(2) };
        const int IdlePolls = 5;
        var pages = new Queue<AccountEventPage>(
        [
            .. Enumerable.Repeat(Page(oldest: 1, last: 0, truncated: false), IdlePolls + 1),
            Page(oldest: 1, last: 1, truncated: false, 1),
            .. Enumerable.Repeat(Page(oldest: 1, last: 1, truncated: false), 100),
        ]);
        var account = ScriptedAccount.Create(pages, ended);
        var result = new EventStreamResult("acct", 0, account, null, options, time,
            new GatewayMetrics(services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>()), NullLogger<EventStreamResult>.Instance);
        var canceledThrown = 0;
        void Count(object? sender, System.Runtime.ExceptionServices.FirstChanceExceptionEventArgs e)
        {
            if (e.Exception is OperationCanceledException && StreamUnderTest.Value)
            {
                Interlocked.Increment(ref canceledThrown);
            }
        }

        AppDomain.CurrentDomain.FirstChanceException += Count;
        try
        {
            StreamUnderTest.Value = true;
            var run = result.ExecuteAsync(http);

            // Each poll: the clock moves a poll interval, and the loop reads its next page and parks on its next wait. The
            // last of them reads the page with the event.
            await ParkedAsync(time, pages, int.MaxValue);
            for (var poll = 0; poll <= IdlePolls; poll++)
            {
                var left = pages.Count;
                time.Advance(options.PollInterval);
                await ParkedAsync(time, pages, left);
            }

            await body.Written.WaitAsync(TimeSpan.FromSeconds(30), TestContext.Current.CancellationToken);
            var thrownWhileIdle = Volatile.Read(ref canceledThrown);

            // Gone while parked on a poll an hour of the fake clock long: the stream ends without the clock moving.
            await ended.CancelAsync();
            await run.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);

            Assert.StartsWith("id: 1\nevent: breakerChanged\n", Encoding.UTF8.GetString(body.ToArray()), StringComparison.Ordinal);
            Assert.Equal(0, thrownWhileIdle);
        }
        finally
        {
            AppDomain.CurrentDomain.FirstChanceException -= Count;
        }
    }

    /// <summary>Waits (10 s of real time at most) until the stream has read a page since <paramref name="pagesLeft"/> were left, and armed a timer.</summary>
    private static async Task ParkedAsync(FakeTimeProvider time, Queue<AccountEventPage> pages, int pagesLeft)
    {
        var deadline = TimeProvider.System.GetTimestamp() + (10 * TimeProvider.System.TimestampFrequency);
        while (pages.Count >= pagesLeft || time.ActiveTimerCount < 1)
        {
            Assert.True(TimeProvider.System.GetTimestamp() < deadline, "The stream did not read its next page and park on its poll within 10 s.");
            await Task.Delay(5, TestContext.Current.CancellationToken);
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(3601)]
    public void EventStream_WriteTimeoutOutsideOneSecondToOneHour_IsRefused(int seconds)
    {
        var options = new GatewayOptions { Events = { WriteTimeout = TimeSpan.FromSeconds(seconds) } };

        var result = new GatewayOptionsValidator().Validate(null, options);

        Assert.Contains("Gateway:Events:WriteTimeout must be between 00:00:01 and 01:00:00.", result.Failures ?? []);
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

    /// <summary>A response body whose client reads nothing: a flush of nothing completes, a write waits until canceled.</summary>
    private sealed class UnreadBody : Stream
    {
        private int _writesStarted;

        public int WritesStarted => Volatile.Read(ref _writesStarted);

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            Interlocked.Increment(ref _writesStarted);
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
        }

        public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    /// <summary>A response body that tells when its first write has landed.</summary>
    private sealed class SignallingBody : MemoryStream
    {
        private readonly TaskCompletionSource _written = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Written => _written.Task;

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await base.WriteAsync(buffer, cancellationToken);
            _written.TrySetResult();
        }
    }

    private sealed class RecordingLifetime : IHttpRequestLifetimeFeature
    {
        public CancellationToken RequestAborted { get; set; }

        public bool Aborted { get; private set; }

        public void Abort() => Aborted = true;
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

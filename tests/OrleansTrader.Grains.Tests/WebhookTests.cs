using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// Webhooks: the account's events reach the receiver in order, signed, filtered by kind and at least once; a failing
/// receiver is retried with a growing delay (its Retry-After honoured) and disabled after the limit; a slow one holds up
/// neither the account's event stream nor the webhook's commands; delivery resumes after a restart.
/// </summary>
public sealed class WebhookTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly WebhookReceiver _receiver = new();

    public void Dispose()
    {
        _receiver.Dispose();
        _dir.Dispose();
    }

    [Fact]
    public async Task TheAccountsEvents_ArriveInOrder_Signed_WithTheKindsAsked()
    {
        await using var cluster = await StartAsync();
        var account = await TestAccounts.OpenAsync(cluster, "wh-a", 100_000m);
        await Market.QuoteAsync(cluster, "WHA", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("before", "WHA", OrderSide.Buy, 1m), 1);

        var all = await Webhook(cluster, "wh-a", "all").CreateAsync(new CreateWebhook { Url = "https://receiver.example/hooks/all" });
        var fills = await Webhook(cluster, "wh-a", "fills").CreateAsync(new CreateWebhook { Url = "https://receiver.example/hooks/fills", Kinds = [AccountEventKind.Fill] });
        Assert.True(all.Succeeded, all.Message);
        Assert.True(fills.Succeeded, fills.Message);
        Assert.StartsWith("whsec_", all.Secret, StringComparison.Ordinal);
        Assert.NotEqual(all.Secret, fills.Secret);
        var createdAt = all.Status!.DeliveredThroughSequence;

        await FillAsync(account, Market.MarketOrder("after-1", "WHA", OrderSide.Buy, 2m), 2);
        await FillAsync(account, Market.MarketOrder("after-2", "WHA", OrderSide.Sell, 3m), 3);
        var expected = (await account.GetEventsAsync(createdAt, 100)).Events;
        await Eventually.WaitAsync(() => Task.FromResult(Sequences("all")), s => s.Count >= expected.Count, "every event at the all webhook");
        await Eventually.WaitAsync(() => Task.FromResult(Sequences("fills")), s => s.Count >= 2, "both fills at the fills webhook");

        // Only what happened after creation, every event once, in the account's order.
        Assert.Equal(expected.Select(e => e.Sequence), Sequences("all"));
        Assert.Equal(expected.Where(e => e.Kind == AccountEventKind.Fill).Select(e => e.Sequence), Sequences("fills"));
        var request = Requests("fills")[0];
        var fill = request.Events[0];
        Assert.Equal("Fill", fill.GetProperty("kind").GetString());
        Assert.Equal("after-1", fill.GetProperty("fill").GetProperty("clientOrderId").GetString());
        Assert.Equal(("wh-a", "fills"), (request.Json.GetProperty("accountId").GetString(), request.Json.GetProperty("webhookId").GetString()));

        // The signature: HMAC-SHA256 of "t.body" with the secret, and the ids in headers.
        foreach (var received in Requests("all"))
        {
            var signature = received.Headers[WebhookSender.SignatureHeader];
            var t = signature.Split(',')[0]["t=".Length..];
            byte[] message = [.. Encoding.UTF8.GetBytes(t + "."), .. received.Body];
            var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(all.Secret!), message);
            Assert.Equal($"t={t},v1={Convert.ToHexStringLower(mac)}", signature);
            Assert.Equal("all", received.Headers[WebhookSender.WebhookIdHeader]);
            Assert.Equal(received.Json.GetProperty("deliveryId").GetString(), received.Headers[WebhookSender.DeliveryIdHeader]);
        }

        // The receiver records a request before the webhook takes its 2xx: the status follows a moment later.
        var status = (await Eventually.WaitAsync(Webhook(cluster, "wh-a", "all").GetStatusAsync,
            s => s!.DeliveredThroughSequence == expected[^1].Sequence, "the webhook to take its last 2xx"))!;
        Assert.Equal((WebhookState.Active, expected[^1].Sequence, (long)expected.Count, 0), (status.State, status.DeliveredThroughSequence, status.EventsDelivered, status.ConsecutiveFailures));
        Assert.Equal(["all", "fills"], await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-a").ListAsync());
    }

    [Fact]
    public async Task AFailingReceiver_GetsTheSameEventsAgain_AfterAGrowingDelay_AndRetryAfterIsHonoured()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-b", "WHB", "retry");

        var answers = new Queue<HttpResponseMessage>([
            new HttpResponseMessage(HttpStatusCode.InternalServerError),
            new HttpResponseMessage(HttpStatusCode.BadGateway),
            Throttled(TimeSpan.FromSeconds(30))]);
        _receiver.Respond = _ => Task.FromResult(answers.TryDequeue(out var next) ? next : new HttpResponseMessage(HttpStatusCode.OK));
        await FillAsync(account, Market.MarketOrder("retried", "WHB", OrderSide.Buy, 1m), 1);

        // First failure: a wait of 1 s less up to a fifth; second: 2 s less up to a fifth; then the 30 s asked for.
        var first = await WaitForFailuresAsync(webhook, 1);
        Assert.Equal("HTTP 500 Internal Server Error", first.LastError);
        Assert.InRange(first.NextAttemptAt!.Value - first.LastAttemptAt!.Value, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1));
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await WaitForFailuresAsync(webhook, 2);
        Assert.InRange(second.NextAttemptAt!.Value - second.LastAttemptAt!.Value, TimeSpan.FromSeconds(1.6), TimeSpan.FromSeconds(2));
        time.Advance(TimeSpan.FromSeconds(2));
        var third = await WaitForFailuresAsync(webhook, 3);
        Assert.Equal(TimeSpan.FromSeconds(30), third.NextAttemptAt!.Value - third.LastAttemptAt!.Value);

        // Nothing goes before the receiver's time is up.
        time.Advance(TimeSpan.FromSeconds(29));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(3, _receiver.Received.Count);
        time.Advance(TimeSpan.FromSeconds(1));
        var delivered = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.Deliveries == 1, "the delivery after the wait");

        Assert.Equal(4, _receiver.Received.Count);
        Assert.Single(_receiver.Received.Select(r => r.Json.GetProperty("deliveryId").GetString()).Distinct());
        Assert.Equal((0, (string?)null, (DateTimeOffset?)null), (delivered!.ConsecutiveFailures, delivered.LastError, delivered.NextAttemptAt));
    }

    [Fact]
    public async Task ARetryAfterAlreadyPast_WaitsTheUsualDelay_AndOneInTheFuture_WaitsUntilThatDate()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-h", "WHH", "dated");

        // A receiver's clock behind ours (or "Retry-After: 0") must not make the webhook retry at once, again and again.
        var answers = new Queue<Func<HttpResponseMessage>>([
            () => ThrottledUntil(HttpStatusCode.ServiceUnavailable, time.GetUtcNow().AddMinutes(-5)),
            () => ThrottledUntil(HttpStatusCode.TooManyRequests, time.GetUtcNow().AddSeconds(90))]);
        _receiver.Respond = _ => Task.FromResult(answers.TryDequeue(out var next) ? next() : new HttpResponseMessage(HttpStatusCode.OK));
        await FillAsync(account, Market.MarketOrder("dated", "WHH", OrderSide.Buy, 1m), 1);

        var first = await WaitForFailuresAsync(webhook, 1);
        Assert.InRange(first.NextAttemptAt!.Value - first.LastAttemptAt!.Value, TimeSpan.FromSeconds(0.8), TimeSpan.FromSeconds(1));
        Assert.Single(_receiver.Received);
        time.Advance(TimeSpan.FromSeconds(1));
        var second = await WaitForFailuresAsync(webhook, 2);
        Assert.Equal(TimeSpan.FromSeconds(90), second.NextAttemptAt!.Value - second.LastAttemptAt!.Value);
    }

    /// <summary>
    /// A receiver asking for more than MaxRetryAfter (an hour by default), as seconds or as a date, is retried after the
    /// hour: the account's events wait behind the retry, and a receiver's "come back tomorrow" must not hold them a day.
    /// </summary>
    [Fact]
    public async Task ARetryAfterLongerThanTheMaximum_WaitsTheMaximum_AsSecondsOrAsADate()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-m", "WHM", "capped");
        Assert.Equal(TimeSpan.FromHours(1), new WebhookOptions().MaxRetryAfter);

        var answers = new Queue<Func<HttpResponseMessage>>([
            () => Throttled(TimeSpan.FromHours(3)),
            () => ThrottledUntil(HttpStatusCode.ServiceUnavailable, time.GetUtcNow().AddHours(3))]);
        _receiver.Respond = _ => Task.FromResult(answers.TryDequeue(out var next) ? next() : new HttpResponseMessage(HttpStatusCode.OK));
        await FillAsync(account, Market.MarketOrder("capped", "WHM", OrderSide.Buy, 1m), 1);

        var first = await WaitForFailuresAsync(webhook, 1);
        Assert.Equal(TimeSpan.FromHours(1), first.NextAttemptAt!.Value - first.LastAttemptAt!.Value);
        time.Advance(TimeSpan.FromHours(1));
        var second = await WaitForFailuresAsync(webhook, 2);
        Assert.Equal(TimeSpan.FromHours(1), second.NextAttemptAt!.Value - second.LastAttemptAt!.Value);
        time.Advance(TimeSpan.FromHours(1));
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.Deliveries == 1, "the delivery an hour after the second refusal");
        Assert.Equal(3, _receiver.Received.Count);
    }

    // The doubled first delay became a TimeSpan before it was capped: 15 min doubled 30 times (the 31st failure) is past
    // TimeSpan.MaxValue. The OverflowException left that failure unstored and no retry set, so the keep-alive reminder
    // retried every minute instead of once per maximum delay.
    [Fact]
    public async Task ABackoff_KeepsItsMaximum_AfterThirtyFailures_WithALongFirstDelay()
    {
        var time = NewClock();
        var storage = new WriteFailingStorage("webhook");
        await using var cluster = await StartAsync(time, o =>
        {
            o.FirstRetryDelay = TimeSpan.FromMinutes(15);
            o.MaxRetryDelay = TimeSpan.FromHours(1);
            o.DisableAfter = TimeSpan.FromDays(30);
        }, storage: storage);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-l", "WHL", "long");
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError));

        await FillAsync(account, Market.MarketOrder("l-1", "WHL", OrderSide.Buy, 1m), 1);
        var status = await WaitForFailuresAsync(webhook, 1);
        for (var failures = 2; failures <= 31; failures++)
        {
            time.Advance(TimeSpan.FromHours(1));
            status = await WaitForFailuresAsync(webhook, failures);
        }

        Assert.Equal(31, status.ConsecutiveFailures);
        Assert.InRange(status.NextAttemptAt!.Value - status.LastAttemptAt!.Value, TimeSpan.FromMinutes(48), TimeSpan.FromHours(1));
        var stored = new GrainState<WebhookGrainState>(new WebhookGrainState());
        await storage.ReadStateAsync("webhook", GrainId.Create(typeof(WebhookGrain).FullName!, WebhookKey.Create("wh-l", "long")), stored,
            TestContext.Current.CancellationToken);
        Assert.Equal((31, status.NextAttemptAt), (stored.State.ConsecutiveFailures, stored.State.NextAttemptAt));

        // Nothing goes before the wait is up, though the keep-alive reminder comes every minute.
        time.Advance(TimeSpan.FromMinutes(47));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(31, _receiver.Received.Count);
    }

    // lastError is stored with the webhook, logged at every failure and shown by every read of it: a receiver's reason
    // phrase (up to the 64 KiB of response headers the client takes) was kept whole.
    [Fact]
    public async Task AReceiversLongReasonPhrase_IsCutInLastError()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-reason", "WHR", "wordy");
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.InternalServerError) { ReasonPhrase = new string('R', 60_000) });

        await FillAsync(account, Market.MarketOrder("wordy", "WHR", OrderSide.Buy, 1m), 1);
        var status = await WaitForFailuresAsync(webhook, 1);

        Assert.StartsWith("HTTP 500 RRRR", status.LastError, StringComparison.Ordinal);
        Assert.InRange(status.LastError!.Length, 1, WebhookSender.MaxErrorLength);
    }

    // A connection the receiver closed before answering, or an answer that is not HTTP, was the client's outer message
    // alone ("An error occurred while sending the request."): lastError did not say what went wrong. Its cause is the
    // receiver's bytes ("Received an invalid status line: '...'"), so it is cut like a reason phrase.
    [Fact]
    public async Task ANetworkErrorsLastError_SaysItsCause_Cut()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-cause", "WHN", "broken");
        var causes = new Queue<string>(["The response ended prematurely.", $"Received an invalid status line: '{new string('x', 60_000)}'."]);
        _receiver.Respond = _ => throw new HttpRequestException("An error occurred while sending the request.", new HttpIOException(HttpRequestError.ResponseEnded, causes.Dequeue()));

        await FillAsync(account, Market.MarketOrder("broken", "WHN", OrderSide.Buy, 1m), 1);
        var ended = await WaitForFailuresAsync(webhook, 1);
        Assert.StartsWith("An error occurred while sending the request. The response ended prematurely.", ended.LastError, StringComparison.Ordinal);

        time.Advance(TimeSpan.FromSeconds(1));
        var invalid = await WaitForFailuresAsync(webhook, 2);
        Assert.StartsWith("An error occurred while sending the request. Received an invalid status line: 'xxxx", invalid.LastError, StringComparison.Ordinal);
        Assert.InRange(invalid.LastError!.Length, 1, WebhookSender.MaxErrorLength);
    }

    [Fact]
    public async Task AWebhookFailingPastTheLimit_IsDisabled_AndResumingDeliversWhatWaited()
    {
        var time = NewClock();
        // A loopback URL, allowed as for a local receiver (the test's handler answers in its place).
        await using var cluster = await StartAsync(time, o =>
        {
            o.DisableAfter = TimeSpan.FromSeconds(10);
            o.AllowPrivateNetworks = true;
        });
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-c", "WHC", "down", url: "http://127.0.0.1:9/down");
        _receiver.Respond = _ => throw new HttpRequestException("Connection refused");

        await FillAsync(account, Market.MarketOrder("d-1", "WHC", OrderSide.Buy, 1m), 1);
        var status = await WaitForFailuresAsync(webhook, 1);
        Assert.Equal("Connection refused", status.LastError);
        for (var failures = 2; status.State == WebhookState.Active; failures++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            status = await WaitForFailuresAsync(webhook, failures);
        }

        Assert.Equal(WebhookState.Disabled, status.State);
        await FillAsync(account, Market.MarketOrder("d-2", "WHC", OrderSide.Buy, 1m), 2);
        var attempts = _receiver.Received.Count;
        time.Advance(TimeSpan.FromMinutes(10));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(attempts, _receiver.Received.Count);

        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent));
        var resumed = await webhook.ResumeAsync();
        Assert.Equal(WebhookState.Active, resumed.Status!.State);
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 2, "both fills after resuming");
        Assert.Equal(["d-1", "d-2"], _receiver.Received.Where(r => r.AnsweredStatus == 204).SelectMany(r => r.Events)
            .Select(e => e.GetProperty("fill").GetProperty("clientOrderId").GetString()));
    }

    // A receiver answering 410 Gone says the endpoint is gone for good. It was retried as any failure, every five minutes
    // until the 24 h window disabled it: some 300 requests to an address that had said to stop.
    [Fact]
    public async Task AReceiverAnsweringGone_DisablesTheWebhookAtOnce_AndResumingDeliversWhatWaited()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-gone", "WHG", "gone");
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.Gone));

        await FillAsync(account, Market.MarketOrder("g-1", "WHG", OrderSide.Buy, 1m), 1);
        var status = await WaitForFailuresAsync(webhook, 1);
        Assert.Equal((WebhookState.Disabled, 1, "HTTP 410 Gone", (DateTimeOffset?)null),
            (status.State, status.ConsecutiveFailures, status.LastError, status.NextAttemptAt));

        // Nothing more goes, neither a retry nor the next event, however long it waits.
        await FillAsync(account, Market.MarketOrder("g-2", "WHG", OrderSide.Buy, 1m), 2);
        time.Advance(TimeSpan.FromHours(25));
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Single(_receiver.Received);

        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        Assert.Equal(WebhookState.Active, (await webhook.ResumeAsync()).Status!.State);
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 2, "both fills after resuming");
        Assert.Equal(["g-1", "g-2"], _receiver.Received.Where(r => r.AnsweredStatus == 200).SelectMany(r => r.Events)
            .Select(e => e.GetProperty("fill").GetProperty("clientOrderId").GetString()));
    }

    // A resume whose write failed left the webhook active in memory only. The caller's retry found it active, so it stored
    // nothing, registered no keep-alive and started no delivery (an activation that loaded it disabled runs none), yet
    // answered Active: the waiting fill never went, and the next activation loaded the webhook disabled again.
    [Fact]
    public async Task AResumeWhoseWriteFailed_DeliversWhatWaited_AndStaysResumed_WhenRetried()
    {
        var time = NewClock();
        var storage = new WriteFailingStorage("webhook");
        await using var cluster = await StartAsync(time, o => o.DisableAfter = TimeSpan.FromSeconds(10), storage: storage);
        var (account, _, _) = await FillWebhookAsync(cluster, "wh-m", "WHM", "paused");
        _receiver.Respond = _ => throw new HttpRequestException("Connection refused");
        await FillAsync(account, Market.MarketOrder("m-1", "WHM", OrderSide.Buy, 1m), 1);
        var status = await WaitForFailuresAsync(Webhook(cluster, "wh-m", "paused"), 1);
        for (var failures = 2; status.State == WebhookState.Active; failures++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            status = await WaitForFailuresAsync(Webhook(cluster, "wh-m", "paused"), failures);
        }

        // Later (here after a restart) the disabled webhook is activated again, with no delivery running.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var webhook = Webhook(cluster, "wh-m", "paused");
        Assert.Equal(WebhookState.Disabled, (await webhook.GetStatusAsync())!.State);
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.ResumeAsync());

        var resumed = await webhook.ResumeAsync();
        Assert.Equal(WebhookState.Active, resumed.Status!.State);
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 1, "the waiting fill delivered after the retried resume");
        var stored = new GrainState<WebhookGrainState>(new WebhookGrainState());
        await storage.ReadStateAsync("webhook", GrainId.Create(typeof(WebhookGrain).FullName!, WebhookKey.Create("wh-m", "paused")), stored,
            TestContext.Current.CancellationToken);
        Assert.Equal(WebhookState.Active, stored.State.State);
    }

    // A resume whose keep-alive failed had already stored the webhook active: the caller's retry found it active and
    // registered no keep-alive, yet answered Active. The silo wakes at start only webhooks with one, so after a restart
    // nothing delivered the account's events. The keep-alive now goes before the write, as at creation.
    [Fact]
    public async Task AResumeWhoseKeepAliveFailed_RegistersItWhenRetried_SoARestartWakesTheWebhook()
    {
        var time = NewClock();
        var storage = new WriteFailingStorage("webhook");
        var reminders = new UpsertFailingReminderTable();
        await using var cluster = await StartAsync(time, o => o.DisableAfter = TimeSpan.FromSeconds(10), storage: storage, reminders: reminders);
        var (account, webhook, _) = await FillWebhookAsync(cluster, "wh-k", "WHK", "paused");
        _receiver.Respond = _ => throw new HttpRequestException("Connection refused");
        await FillAsync(account, Market.MarketOrder("k-1", "WHK", OrderSide.Buy, 1m), 1);
        var status = await WaitForFailuresAsync(webhook, 1);
        for (var failures = 2; status.State == WebhookState.Active; failures++)
        {
            time.Advance(TimeSpan.FromSeconds(5));
            status = await WaitForFailuresAsync(webhook, failures);
        }

        // The disabled webhook's keep-alive removes itself at its next tick.
        var id = GrainId.Create(typeof(WebhookGrain).FullName!, WebhookKey.Create("wh-k", "paused"));
        time.Advance(TimeSpan.FromMinutes(1));
        await Eventually.WaitAsync(() => reminders.ReadRowAsync(id, WebhookGrain.KeepAliveReminder, TestContext.Current.CancellationToken),
            r => r is null, "the disabled webhook's keep-alive removed");

        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        reminders.FailNextUpsert = true;
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.ResumeAsync());
        var resumed = await webhook.ResumeAsync();
        Assert.Equal(WebhookState.Active, resumed.Status!.State);
        Assert.NotNull(await reminders.ReadRowAsync(id, WebhookGrain.KeepAliveReminder, TestContext.Current.CancellationToken));
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 1, "the waiting fill delivered after the retried resume");

        // After a restart the silo wakes the webhook by its keep-alive, and the next fill goes without anyone calling it.
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Market.QuoteAsync(cluster, "WHK", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("k-2", "WHK", OrderSide.Buy, 1m), 2);
        await Eventually.WaitAsync(() => Task.FromResult(Fills(_receiver.Received)), f => f.Contains("k-2"), "the fill after the restart delivered");
        Assert.Equal(["k-1", "k-2"], Fills(_receiver.Received));
    }

    // A rotation whose write failed kept the new secret in memory: the caller, told it failed, never saw that secret, yet
    // every request was signed with it (alone, for a rotation without overlap), so receivers could verify none.
    [Fact]
    public async Task ARotationWhoseWriteFailed_KeepsSigningWithTheSecretTheCallerHas()
    {
        var storage = new WriteFailingStorage("webhook");
        await using var cluster = await StartAsync(storage: storage);
        var (account, webhook, secret) = await FillWebhookAsync(cluster, "wh-n", "WHN", "signed");

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.RotateSecretAsync(TimeSpan.Zero));

        await FillAsync(account, Market.MarketOrder("n-1", "WHN", OrderSide.Buy, 1m), 1);
        var received = (await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.ToList()), r => r.Count == 1, "the fill"))[0];
        Assert.Equal(SignatureWith(received, secret), received.Headers[WebhookSender.SignatureHeader]);
        Assert.Null((await webhook.GetStatusAsync())!.SecretRotatedAt);
    }

    [Fact]
    public async Task ASlowReceiver_HoldsUpNeitherTheAccountsEventStream_NorTheWebhooksCommands()
    {
        await using var cluster = await StartAsync();
        var account = await TestAccounts.OpenAsync(cluster, "wh-d", 100_000m);
        await Market.QuoteAsync(cluster, "WHD", 50m, 50m);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Respond = async _ =>
        {
            await release.Task;
            return new HttpResponseMessage(HttpStatusCode.OK);
        };
        var webhook = Webhook(cluster, "wh-d", "slow");
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/slow" })).Succeeded);
        var seen = new List<AccountEvent>();
        var stream = cluster.Cluster.Client.GetStreamProvider(StreamNames.MemoryProvider).GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, "wh-d"));
        await stream.SubscribeAsync((e, _) =>
        {
            lock (seen)
            {
                seen.Add(e);
            }

            return Task.CompletedTask;
        });

        // The first request hangs; the stream still carries every event of three orders to its other subscriber.
        for (var i = 1; i <= 3; i++)
        {
            await FillAsync(account, Market.MarketOrder($"s-{i}", "WHD", OrderSide.Buy, 1m), i);
        }

        await Eventually.WaitAsync(() => Task.FromResult(Count(seen, AccountEventKind.Fill)), n => n == 3, "three fills on the stream");
        var waiting = await webhook.GetStatusAsync().WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.Equal(0, waiting!.Deliveries);

        release.SetResult();
        var done = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.DeliveredThroughSequence == seen[^1].Sequence, "the backlog delivered");
        Assert.Equal(seen.Select(e => e.Sequence), _receiver.Sequences);
        Assert.True(done!.Deliveries >= 2, "the events that came during the first request went in a later one");
    }

    [Fact]
    public async Task DeliveryResumesAfterARestart_FromWhereItStood()
    {
        await using var cluster = await StartAsync(sqlite: _dir.File("webhooks.db"));
        var (account, _, _) = await FillWebhookAsync(cluster, "wh-e", "WHE", "durable");
        await FillAsync(account, Market.MarketOrder("r-1", "WHE", OrderSide.Buy, 1m), 1);
        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.Count), n => n == 1, "the first fill delivered");

        // Down while the next fill happens; the restarted silo activates the webhook without being asked.
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.ServiceUnavailable));
        await FillAsync(account, Market.MarketOrder("r-2", "WHE", OrderSide.Buy, 1m), 2);
        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.Count), n => n >= 2, "a failed attempt");
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK));
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);

        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.Count(r => r.AnsweredStatus == 200)), n => n == 2, "the second fill after the restart");
        Assert.Equal(["r-1", "r-2"], _receiver.Received.Where(r => r.AnsweredStatus == 200).SelectMany(r => r.Events)
            .Select(e => e.GetProperty("fill").GetProperty("clientOrderId").GetString()));
    }

    /// <summary>
    /// docs/api.md, "In order, at least once": until a 2xx the same events go again with the same deliveryId, also after
    /// the silo stopped or crashed with the request out. The range used to be stored only once the request had failed, so
    /// the first request after the restart read afresh and carried the events that came meanwhile under another id: a
    /// receiver keeping delivery ids took those events twice.
    /// </summary>
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ARequestOutWhenTheSiloStops_GoesAgainAfterTheRestart_WithTheSameEventsAndDeliveryId(bool crash)
    {
        // A fake clock: the request's 10 s timeout never ends it, so only the stop does.
        var ct = TestContext.Current.CancellationToken;
        var time = NewClock();
        await using var cluster = await StartAsync(time, sqlite: _dir.File("webhooks.db"));
        var (account, _, _) = await FillWebhookAsync(cluster, "wh-out", "WHO", "out");

        // The first request hangs until the silo is gone; every later one is answered 200.
        var sent = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var answer = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Respond = async _ =>
        {
            if (sent.TrySetResult())
            {
                await answer.Task;
                return new HttpResponseMessage(HttpStatusCode.InternalServerError);
            }

            return new HttpResponseMessage(HttpStatusCode.OK);
        };
        await FillAsync(account, Market.MarketOrder("out-1", "WHO", OrderSide.Buy, 1m), 1);
        await sent.Task.WaitAsync(TimeSpan.FromSeconds(30), ct);

        // A second fill, written, while the first request is out.
        await FillAsync(account, Market.MarketOrder("out-2", "WHO", OrderSide.Buy, 1m), 2);
        await Eventually.WaitAsync(() => account.GetEventsAsync(0, 100), p => p.Events.Count(e => e.Kind == AccountEventKind.Fill) == 2, "the second fill written");
        if (crash)
        {
            await cluster.Cluster.KillSiloAsync(ct);
        }
        else
        {
            await cluster.Cluster.StopAllSilosAsync(ct);
        }

        answer.SetResult();
        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.Count), n => n == 1, "the request out answered after the stop");
        await cluster.Cluster.DeployAsync(ct);

        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.Count), n => n >= 2, "a request after the restart");
        var (before, after) = (_receiver.Received[0], _receiver.Received[1]);
        Assert.Equal(
            (before.Headers[WebhookSender.DeliveryIdHeader], string.Join(",", before.Events.Select(e => e.GetProperty("sequence").GetInt64()))),
            (after.Headers[WebhookSender.DeliveryIdHeader], string.Join(",", after.Events.Select(e => e.GetProperty("sequence").GetInt64()))));
        await Eventually.WaitAsync(() => Task.FromResult(Fills(_receiver.Received.Skip(1))), f => f.Count == 2, "both fills delivered after the restart");
        Assert.Equal(["out-1", "out-2"], Fills(_receiver.Received.Skip(1)));
    }

    private static List<string> Fills(IEnumerable<ReceivedWebhook> requests) =>
        [.. requests.Where(r => r.AnsweredStatus == 200).SelectMany(r => r.Events).Select(e => e.GetProperty("fill").GetProperty("clientOrderId").GetString()!)];

    [Fact]
    public async Task Commands_RefuseWhatCannotBe_AndDeleteStopsDelivery()
    {
        await using var cluster = await StartAsync();
        var account = await TestAccounts.OpenAsync(cluster, "wh-f", 100_000m);
        await Market.QuoteAsync(cluster, "WHF", 50m, 50m);

        Assert.Equal(AccountErrorCodes.NotOpen, (await Webhook(cluster, "nobody", "x").CreateAsync(new CreateWebhook { Url = "https://receiver.example/" })).ErrorCode);
        foreach (var url in new[] { "ftp://receiver.example/", "/relative", "https://user:pw@receiver.example/", "https://receiver.example/#top", "" })
        {
            var refused = await Webhook(cluster, "wh-f", "bad").CreateAsync(new CreateWebhook { Url = url });
            Assert.Equal((WebhookErrorCodes.InvalidUrl, "url"), (refused.ErrorCode, refused.Field));
        }

        for (var i = 0; i < WebhookDirectoryGrain.MaxWebhooks; i++)
        {
            Assert.True((await Webhook(cluster, "wh-f", $"w{i}").CreateAsync(new CreateWebhook { Url = $"https://receiver.example/{i}" })).Succeeded);
        }

        Assert.Equal(WebhookErrorCodes.AlreadyExists, (await Webhook(cluster, "wh-f", "w0").CreateAsync(new CreateWebhook { Url = "https://receiver.example/" })).ErrorCode);
        Assert.Equal(WebhookErrorCodes.Limit, (await Webhook(cluster, "wh-f", "one-more").CreateAsync(new CreateWebhook { Url = "https://receiver.example/" })).ErrorCode);

        for (var i = 1; i < WebhookDirectoryGrain.MaxWebhooks; i++)
        {
            Assert.True((await Webhook(cluster, "wh-f", $"w{i}").DeleteAsync()).Succeeded);
        }

        Assert.Equal(WebhookErrorCodes.NotFound, (await Webhook(cluster, "wh-f", "w1").DeleteAsync()).ErrorCode);
        Assert.Null(await Webhook(cluster, "wh-f", "w1").GetStatusAsync());
        Assert.Equal(["w0"], await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-f").ListAsync());

        await FillAsync(account, Market.MarketOrder("f-1", "WHF", OrderSide.Buy, 1m), 1);
        await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.Count(r => r.Url.AbsolutePath == "/0")), n => n >= 1, "delivery to the webhook kept");
        Assert.All(_receiver.Received, r => Assert.Equal("/0", r.Url.AbsolutePath));
    }

    [Fact]
    public async Task ACreationWhoseWriteFailed_LeavesNoWebhook_AndFreesItsPlaceInTheAccountsLimit()
    {
        var storage = new WriteFailingStorage("webhook");
        await using var cluster = await StartAsync(storage: storage);
        await TestAccounts.OpenAsync(cluster, "wh-i", 100_000m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => Webhook(cluster, "wh-i", "failed").CreateAsync(new CreateWebhook { Url = "https://receiver.example/failed" }));

        // Nothing was stored: the account can still have its full count of others, and the failed one does not exist.
        for (var i = 0; i < WebhookDirectoryGrain.MaxWebhooks; i++)
        {
            var created = await Webhook(cluster, "wh-i", $"w{i}").CreateAsync(new CreateWebhook { Url = $"https://receiver.example/{i}" });
            Assert.True(created.Succeeded, $"webhook {i}: {created.ErrorCode} {created.Message}");
        }

        Assert.Null(await Webhook(cluster, "wh-i", "failed").GetStatusAsync());

        Assert.Equal(WebhookDirectoryGrain.MaxWebhooks, (await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-i").ListAsync()).Count);
    }

    // A creation whose keep-alive registration failed had stored the webhook active, with no keep-alive and no delivery
    // started: its retry answered AlreadyExists, a resume found it active and started nothing, and a restart did not bring
    // it back either (the silo wakes the webhooks that have a keep-alive). It fails cleanly now, and its retry delivers.
    [Fact]
    public async Task ACreationWhoseKeepAliveFailed_LeavesNoWebhook_AndItsRetryDelivers()
    {
        var reminders = new UpsertFailingReminderTable();
        await using var cluster = await StartAsync(reminders: reminders);
        var account = await TestAccounts.OpenAsync(cluster, "wh-r", 100_000m);
        await Market.QuoteAsync(cluster, "WHR", 50m, 50m);
        var webhook = Webhook(cluster, "wh-r", "kept");
        var create = new CreateWebhook { Url = "https://receiver.example/kept", Kinds = [AccountEventKind.Fill] };

        reminders.FailNextUpsert = true;
        await Assert.ThrowsAnyAsync<Exception>(() => webhook.CreateAsync(create));
        Assert.Null(await webhook.GetStatusAsync());
        Assert.Empty(await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-r").ListAsync());

        var created = await webhook.CreateAsync(create);
        Assert.True(created.Succeeded, created.Message);
        await FillAsync(account, Market.MarketOrder("r-1", "WHR", OrderSide.Buy, 1m), 1);
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 1, "the fill delivered after the retried creation");
        var id = GrainId.Create(typeof(WebhookGrain).FullName!, WebhookKey.Create("wh-r", "kept"));
        Assert.NotNull(await reminders.ReadRowAsync(id, WebhookGrain.KeepAliveReminder, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task ADirectoryWriteThatFailed_TakesNoPlaceInTheAccountsLimit()
    {
        var storage = new WriteFailingStorage("webhook-directory");
        await using var cluster = await StartAsync(storage: storage);
        await TestAccounts.OpenAsync(cluster, "wh-j", 100_000m);

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => Webhook(cluster, "wh-j", "failed").CreateAsync(new CreateWebhook { Url = "https://receiver.example/failed" }));

        for (var i = 0; i < WebhookDirectoryGrain.MaxWebhooks; i++)
        {
            var created = await Webhook(cluster, "wh-j", $"w{i}").CreateAsync(new CreateWebhook { Url = $"https://receiver.example/{i}" });
            Assert.True(created.Succeeded, $"webhook {i}: {created.ErrorCode} {created.Message}");
        }

        Assert.DoesNotContain("failed", await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-j").ListAsync());
    }

    [Fact]
    public async Task ADeletionWhoseDirectoryWriteFailed_FreesItsPlaceInTheAccountsLimit_WhenRetried()
    {
        var storage = new WriteFailingStorage("webhook-directory");
        await using var cluster = await StartAsync(storage: storage);
        await TestAccounts.OpenAsync(cluster, "wh-k", 100_000m);
        for (var i = 0; i < WebhookDirectoryGrain.MaxWebhooks; i++)
        {
            Assert.True((await Webhook(cluster, "wh-k", $"w{i}").CreateAsync(new CreateWebhook { Url = $"https://receiver.example/{i}" })).Succeeded);
        }

        // The webhook is gone but its id stays stored in the directory; the caller, told the deletion failed, retries it.
        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => Webhook(cluster, "wh-k", "w9").DeleteAsync());
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        await Webhook(cluster, "wh-k", "w9").DeleteAsync();

        var another = await Webhook(cluster, "wh-k", "another").CreateAsync(new CreateWebhook { Url = "https://receiver.example/another" });
        Assert.True(another.Succeeded, $"{another.ErrorCode} {another.Message}");
        Assert.DoesNotContain("w9", await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("wh-k").ListAsync());
    }

    [Fact]
    public async Task RotatingTheSecret_SignsWithBoth_UntilTheOldOneExpires_ThenWithTheNewOneAlone()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "wh-g", 100_000m);
        await Market.QuoteAsync(cluster, "WHG", 50m, 50m);
        var webhook = Webhook(cluster, "wh-g", "rotating");
        var created = await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/rotating", Kinds = [AccountEventKind.Fill] });
        Assert.Null(created.Status!.SecretRotatedAt);

        var rotated = await webhook.RotateSecretAsync(TimeSpan.FromHours(1));
        Assert.True(rotated.Succeeded, rotated.Message);
        Assert.StartsWith("whsec_", rotated.Secret, StringComparison.Ordinal);
        Assert.NotEqual(created.Secret, rotated.Secret);
        Assert.Equal((time.GetUtcNow(), time.GetUtcNow().AddHours(1)), (rotated.Status!.SecretRotatedAt, rotated.Status.PreviousSecretValidUntil));

        // Within the hour: the new secret's signature first, then the old one's.
        await FillAsync(account, Market.MarketOrder("g-1", "WHG", OrderSide.Buy, 1m), 1);
        var during = (await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.ToList()), r => r.Count == 1, "the first fill"))[0];
        Assert.Equal(SignatureWith(during, rotated.Secret!, created.Secret!), during.Headers[WebhookSender.SignatureHeader]);

        // After it: the new one alone, and the status no longer shows the old one.
        time.Advance(TimeSpan.FromHours(1));
        await Market.QuoteAsync(cluster, "WHG", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("g-2", "WHG", OrderSide.Buy, 1m), 2);
        var after = (await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.ToList()), r => r.Count == 2, "the second fill"))[1];
        Assert.Equal(SignatureWith(after, rotated.Secret!), after.Headers[WebhookSender.SignatureHeader]);
        Assert.Null((await webhook.GetStatusAsync())!.PreviousSecretValidUntil);

        // Zero retires the old secret at once; a validity beyond a week, or below zero, is refused.
        var again = await webhook.RotateSecretAsync(TimeSpan.Zero);
        Assert.Null(again.Status!.PreviousSecretValidUntil);
        await FillAsync(account, Market.MarketOrder("g-3", "WHG", OrderSide.Buy, 1m), 3);
        var last = (await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.ToList()), r => r.Count == 3, "the third fill"))[2];
        Assert.Equal(SignatureWith(last, again.Secret!), last.Headers[WebhookSender.SignatureHeader]);
        foreach (var invalid in new[] { TimeSpan.FromDays(8), TimeSpan.FromSeconds(-1) })
        {
            var refused = await webhook.RotateSecretAsync(invalid);
            Assert.Equal((WebhookErrorCodes.InvalidRotation, "previousSecretValidForSeconds"), (refused.ErrorCode, refused.Field));
        }

        Assert.Equal(WebhookErrorCodes.NotFound, (await Webhook(cluster, "wh-g", "none").RotateSecretAsync(TimeSpan.Zero)).ErrorCode);

        // A second rotation within an overlap keeps the first one's promise: three signatures, newest first.
        var first = await webhook.RotateSecretAsync(TimeSpan.FromHours(1));
        var second = await webhook.RotateSecretAsync(TimeSpan.FromMinutes(30));
        Assert.Equal(time.GetUtcNow().AddHours(1), second.Status!.PreviousSecretValidUntil);
        await FillAsync(account, Market.MarketOrder("g-4", "WHG", OrderSide.Buy, 1m), 4);
        var overlapping = (await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.ToList()), r => r.Count == 4, "the fourth fill"))[3];
        Assert.Equal(SignatureWith(overlapping, second.Secret!, first.Secret!, again.Secret!), overlapping.Headers[WebhookSender.SignatureHeader]);

        // A third earlier secret is refused; rotating without an overlap still works and keeps the two promises.
        var third = await webhook.RotateSecretAsync(TimeSpan.FromMinutes(1));
        Assert.Equal((WebhookErrorCodes.InvalidRotation, "previousSecretValidForSeconds"), (third.ErrorCode, third.Field));
        var immediate = await webhook.RotateSecretAsync(TimeSpan.Zero);
        await FillAsync(account, Market.MarketOrder("g-5", "WHG", OrderSide.Buy, 1m), 5);
        var afterImmediate = (await Eventually.WaitAsync(() => Task.FromResult(_receiver.Received.ToList()), r => r.Count == 5, "the fifth fill"))[4];
        Assert.Equal(SignatureWith(afterImmediate, immediate.Secret!, first.Secret!, again.Secret!), afterImmediate.Headers[WebhookSender.SignatureHeader]);
    }

    [Fact]
    public async Task ARotationRefusedForItsOverlap_SaysWhenAnOverlapIsTakenAgain()
    {
        var time = NewClock();
        await using var cluster = await StartAsync(time);
        await TestAccounts.OpenAsync(cluster, "wh-r", 100_000m);
        var webhook = Webhook(cluster, "wh-r", "rolling");
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/rolling" })).Succeeded);
        var firstStops = time.GetUtcNow().AddHours(1);
        Assert.True((await webhook.RotateSecretAsync(TimeSpan.FromHours(1))).Succeeded);
        time.Advance(TimeSpan.FromMinutes(30));
        var secondStops = time.GetUtcNow().AddHours(1);
        Assert.True((await webhook.RotateSecretAsync(TimeSpan.FromHours(1))).Succeeded);
        time.Advance(TimeSpan.FromMinutes(10));

        // Two earlier secrets sign, until 15:00 and 15:30: a rotation with an overlap is taken again from 15:00, when the
        // first stops. The day the refused rotation asked for (to 14:40 the next day) is no secret's and nothing to wait for.
        var refused = await webhook.RotateSecretAsync(TimeSpan.FromDays(1));
        Assert.Equal((WebhookErrorCodes.InvalidRotation, "previousSecretValidForSeconds"), (refused.ErrorCode, refused.Field));
        Assert.Equal(
            $"2 earlier secrets still sign, until {firstStops:O} and {secondStops:O}: rotate with previousSecretValidForSeconds 0, or with an overlap from {firstStops:O}.",
            refused.Message);

        time.Advance(firstStops - time.GetUtcNow());
        var taken = await webhook.RotateSecretAsync(TimeSpan.FromDays(1));
        Assert.True(taken.Succeeded, taken.Message);
    }

    [Fact]
    public async Task TheWebhooksHttpClient_LeavesTheTimeoutToTheWebhookSetting()
    {
        await using var cluster = await StartAsync(configure: o => o.Timeout = TimeSpan.FromMinutes(3));

        var client = cluster.Cluster.ServiceProvider.GetRequiredService<IHttpClientFactory>().CreateClient(WebhookSender.HttpClientName);

        // HttpClient's default would end a 3-minute request at 100 s with its own error instead of the setting's.
        Assert.Equal(Timeout.InfiniteTimeSpan, client.Timeout);
    }

    /// <summary>The header a receiver expects for this request: its own t, then one v1 per secret, in order.</summary>
    private static string SignatureWith(ReceivedWebhook received, params string[] secrets)
    {
        var t = received.Headers[WebhookSender.SignatureHeader].Split(',')[0]["t=".Length..];
        byte[] message = [.. Encoding.UTF8.GetBytes(t + "."), .. received.Body];
        return $"t={t}" + string.Concat(secrets.Select(secret => ",v1=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message))));
    }

    private static HttpResponseMessage Throttled(TimeSpan wait)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(wait);
        return response;
    }

    private static HttpResponseMessage ThrottledUntil(HttpStatusCode status, DateTimeOffset date)
    {
        var response = new HttpResponseMessage(status);
        response.Headers.RetryAfter = new System.Net.Http.Headers.RetryConditionHeaderValue(date);
        return response;
    }

    [Fact]
    public async Task APositionPastTheAccountsNewestEvent_IsAGap_DeliveredFromTheOldestEventKept()
    {
        var storage = new WriteFailingStorage("webhook");
        await using var cluster = await StartAsync(storage: storage);
        await TestAccounts.OpenAsync(cluster, "wh-p", 100_000m);
        Assert.True((await Webhook(cluster, "wh-p", "past").CreateAsync(new CreateWebhook { Url = "https://receiver.example/past", Kinds = [AccountEventKind.Fill] })).Succeeded);

        // The account's storage restored from an older backup: the webhook's stored position is past its newest event.
        var id = GrainId.Create(typeof(WebhookGrain).FullName!, WebhookKey.Create("wh-p", "past"));
        var stored = new GrainState<WebhookGrainState>(new WebhookGrainState());
        await storage.ReadStateAsync("webhook", id, stored, TestContext.Current.CancellationToken);
        stored.State.DeliveredThrough = 1_000;
        await storage.WriteStateAsync("webhook", id, stored, TestContext.Current.CancellationToken);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        Assert.Equal(1_000, (await Webhook(cluster, "wh-p", "past").GetStatusAsync())!.DeliveredThroughSequence);
        var account = cluster.Grains.GetGrain<IAccountGrain>("wh-p");
        await Market.QuoteAsync(cluster, "WHP", 50m, 50m);
        await FillAsync(account, Market.MarketOrder("p-1", "WHP", OrderSide.Buy, 1m), 1);

        // The fill goes (it was skipped until the account's sequence passed 1000), after a request announcing the gap.
        var events = await account.GetEventsAsync(0, 100);
        var fill = events.Events.Single(e => e.Kind == AccountEventKind.Fill).Sequence;
        await Eventually.WaitAsync(() => Task.FromResult(Sequences("past")), s => s.Contains(fill), "the fill after the gap");
        Assert.Equal([fill], Sequences("past"));
        Assert.Equal(events.OldestSequence, Requests("past")[0].Json.GetProperty("truncatedBefore").GetInt64());
        await Eventually.WaitAsync(Webhook(cluster, "wh-p", "past").GetStatusAsync, s => s!.DeliveredThroughSequence == events.LastSequence, "the position back in the account's history");
    }

    [Fact]
    public async Task AnAccountResetWhileTheWebhookRuns_HasEveryEventOfItsNewHistoryDelivered()
    {
        var storage = new ResettableStorage();
        await using var cluster = await StartAsync(resettable: storage);
        var account = await TestAccounts.OpenAsync(cluster, "wh-r", 100_000m);
        var webhook = Webhook(cluster, "wh-r", "reset");
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/reset" })).Succeeded);
        for (var i = 1; i <= 6; i++)
        {
            Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = $"old-{i}", Amount = 100m })).Succeeded);
        }

        var old = (await account.GetEventsAsync(0, 100)).LastSequence;
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.DeliveredThroughSequence == old, "the old history delivered");
        var (delivered, requests) = (Sequences("reset").Count, Requests("reset").Count);

        // The account's storage wiped while the webhook runs: opened again, its events number from the start, below the
        // position delivered through. The webhook goes back for them (it waited for the account's sequence to pass that
        // position, and then skipped them).
        await storage.ResetAsync(GrainId.Create(typeof(Accounts.AccountGrain).FullName!, "wh-r"));
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => account.SetRiskLimitsAsync(TestAccounts.Loose));
        account = await TestAccounts.OpenAsync(cluster, "wh-r", 100_000m);
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "new-0", Amount = 100m })).Succeeded);
        var first = (await account.GetEventsAsync(0, 100)).LastSequence;
        Assert.True(first < old);
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.DeliveredThroughSequence == first, "the webhook to go back to the account's new history");

        // Past the old position: every event of the new history delivered once, in order, after the request announcing the gap.
        for (var i = 1; (await account.GetEventsAsync(0, 100)).LastSequence <= old + 1; i++)
        {
            Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = $"new-{i}", Amount = 100m })).Succeeded);
        }

        var history = await account.GetEventsAsync(0, 100);
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.DeliveredThroughSequence == history.LastSequence, "the new history delivered");
        Assert.Equal(history.Events.Select(e => e.Sequence), Sequences("reset").Skip(delivered));
        Assert.Equal(history.OldestSequence, Requests("reset")[requests].Json.GetProperty("truncatedBefore").GetInt64());
    }

    // The stream's sign of a reset (an event at or below the one before it) only woke an idle webhook: one with a request
    // out, or waiting for its retry, dropped it and went on from its old position. Once the account's new sequence had
    // passed that position by the next request, every event of the new history up to it was skipped.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task AnAccountResetWhileARequestIsOutOrWaitsForItsRetry_HasEveryEventOfItsNewHistoryDelivered(bool requestOut)
    {
        var time = NewClock();
        var storage = new ResettableStorage();
        await using var cluster = await StartAsync(time, resettable: storage);
        var accountId = requestOut ? "wh-ro" : "wh-rr";
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        var webhook = Webhook(cluster, accountId, "reset");
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/reset", Kinds = [AccountEventKind.CashTransfer] })).Succeeded);
        for (var i = 1; i <= 3; i++)
        {
            Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = $"old-{i}", Amount = 100m })).Succeeded);
        }

        var delivered = (await account.GetEventsAsync(0, 100)).LastSequence;
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.DeliveredThroughSequence == delivered, "the old history delivered");

        // The next request hangs, or fails and waits for its retry, while the account's storage is wiped.
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Respond = async _ =>
        {
            arrived.TrySetResult();
            if (requestOut)
            {
                await release.Task;
            }

            return new HttpResponseMessage(release.Task.IsCompleted ? HttpStatusCode.OK : HttpStatusCode.InternalServerError);
        };
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = "old-4", Amount = 100m })).Succeeded);
        var pending = (await account.GetEventsAsync(0, 100)).LastSequence;
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);
        if (!requestOut)
        {
            await WaitForFailuresAsync(webhook, 1);
        }

        var streamed = new List<long>();
        await cluster.Cluster.Client.GetStreamProvider(StreamNames.MemoryProvider).GetStream<AccountEvent>(StreamId.Create(StreamNames.AccountEvents, accountId))
            .SubscribeAsync((e, _) =>
            {
                lock (streamed)
                {
                    streamed.Add(e.Sequence);
                }

                return Task.CompletedTask;
            });
        await storage.ResetAsync(GrainId.Create(typeof(Accounts.AccountGrain).FullName!, accountId));
        await Assert.ThrowsAnyAsync<InconsistentStateException>(() => account.SetRiskLimitsAsync(TestAccounts.Loose));
        account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        var made = 0;
        for (; (await account.GetEventsAsync(0, 100)).LastSequence <= pending + 1; made++)
        {
            Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = $"new-{made}", Amount = 100m })).Succeeded);
        }

        // The stream hands its next events on only once every subscriber took the last: the test's subscriber seeing a
        // transfer made after it saw the others means the webhook has taken the events that show the reset.
        await Eventually.WaitAsync(async () => (await account.GetEventsAsync(0, 100)).LastSequence, last => Streamed(streamed).Contains(last), "the new history streamed");
        Assert.True((await account.TransferCashAsync(new TransferCash { TransferId = $"new-{made}", Amount = 100m })).Succeeded);
        await Eventually.WaitAsync(async () => (await account.GetEventsAsync(0, 100)).LastSequence, last => Streamed(streamed).Contains(last), "one more transfer streamed");

        // The request ends (or its retry is due) only once the new history is past the position it would deliver through.
        var history = await account.GetEventsAsync(0, 100);
        var expected = history.Events.Where(e => e.Kind == AccountEventKind.CashTransfer).Select(e => e.Transfer!.TransferId).ToList();
        release.SetResult();
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(() => Task.FromResult(string.Join(",", DeliveredTransfers("reset"))), ids => expected.All(ids.Split(',').Contains), "every transfer of the new history");
        Assert.Equal(expected, DeliveredTransfers("reset").Where(id => id.StartsWith("new-", StringComparison.Ordinal)).Distinct());
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.DeliveredThroughSequence == history.LastSequence, "the position at the new history's newest event");
    }

    private static List<long> Streamed(List<long> streamed)
    {
        lock (streamed)
        {
            return [.. streamed];
        }
    }

    private static int Count(List<AccountEvent> seen, AccountEventKind kind)
    {
        lock (seen)
        {
            return seen.Count(e => e.Kind == kind);
        }
    }

    /// <summary>The status once <paramref name="failures"/> attempts failed and the last failure's retry is scheduled.</summary>
    private static async Task<WebhookStatus> WaitForFailuresAsync(IWebhookGrain webhook, int failures)
    {
        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures >= failures, $"failure {failures}");
        await WebhookTurns.RetryScheduledAsync(webhook);
        return status!;
    }

    private static IWebhookGrain Webhook(TradingCluster cluster, string accountId, string webhookId) =>
        cluster.Grains.GetGrain<IWebhookGrain>(WebhookKey.Create(accountId, webhookId));

    private static FakeTimeProvider NewClock() => new(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));

    /// <summary>The set-up most tests here share: an open account, its symbol quoted, and a webhook of its fills created.</summary>
    private static async Task<(IAccountGrain Account, IWebhookGrain Webhook, string Secret)> FillWebhookAsync(
        TradingCluster cluster, string accountId, string symbol, string webhookId, string? url = null)
    {
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        await Market.QuoteAsync(cluster, symbol, 50m, 50m);
        var webhook = Webhook(cluster, accountId, webhookId);
        var created = await webhook.CreateAsync(new CreateWebhook { Url = url ?? $"https://receiver.example/{webhookId}", Kinds = [AccountEventKind.Fill] });
        Assert.True(created.Succeeded, created.Message);
        return (account, webhook, created.Secret!);
    }

    private IReadOnlyList<ReceivedWebhook> Requests(string webhookId) =>
        [.. _receiver.Received.Where(r => r.Headers[WebhookSender.WebhookIdHeader] == webhookId)];

    /// <summary>The transfer ids of the events the receiver answered with a 2xx, in the order received, repeats included.</summary>
    private IReadOnlyList<string> DeliveredTransfers(string webhookId) =>
        [.. Requests(webhookId).Where(r => r.AnsweredStatus is >= 200 and < 300).SelectMany(r => r.Events)
            .Select(e => e.GetProperty("transfer").GetProperty("transferId").GetString()!)];

    private IReadOnlyList<long> Sequences(string webhookId) =>
        [.. Requests(webhookId).SelectMany(r => r.Events).Select(e => e.GetProperty("sequence").GetInt64())];

    private Task<TradingCluster> StartAsync(
        TimeProvider? time = null, Action<WebhookOptions>? configure = null, string? sqlite = null, WriteFailingStorage? storage = null,
        ResettableStorage? resettable = null, UpsertFailingReminderTable? reminders = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            SqlitePath = sqlite,
            ConfigureSilo = silo =>
            {
                silo.Services.AddHttpClient(WebhookSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _receiver);
                if (storage is not null)
                {
                    silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp));
                }

                if (resettable is not null)
                {
                    silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => resettable.Over(sp));
                }

                if (reminders is not null)
                {
                    silo.Services.AddSingleton<IReminderTable>(reminders);
                }

                if (configure is not null)
                {
                    silo.Services.Configure(configure);
                }
            },
        });
}

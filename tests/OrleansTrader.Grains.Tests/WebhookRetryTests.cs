using System.Net;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.Runtime.Testing;
using static OrleansTrader.Grains.Tests.Infrastructure.AccountSteps;

namespace OrleansTrader.Grains.Tests;

/// <summary>A webhook retry carries the same events and delivery id as the attempt it repeats.</summary>
public sealed class WebhookRetryTests : IDisposable
{
    private readonly WebhookReceiver _receiver = new();
    private readonly TempDirectory _dir = new();

    public void Dispose()
    {
        _receiver.Dispose();
        _dir.Dispose();
    }

    /// <summary>
    /// docs/api.md, "In order, at least once": until a 2xx, "the same events go again, in the same order, with the same
    /// deliveryId". Events that happen while a failed request waits for its retry go in a later request.
    /// </summary>
    [Fact]
    public async Task ARetry_SendsTheSameEvents_WithTheSameDeliveryId_EvenWhenMoreEventsCameMeanwhile()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        await using var cluster = await StartAsync(time);
        var account = await TestAccounts.OpenAsync(cluster, "wh-audit", 100_000m);
        await Market.QuoteAsync(cluster, "WHX", 50m, 50m);
        var webhook = cluster.Grains.GetGrain<IWebhookGrain>(WebhookKey.Create("wh-audit", "retry"));
        Assert.True((await webhook.CreateAsync(new CreateWebhook { Url = "https://receiver.example/retry", Kinds = [AccountEventKind.Fill] })).Succeeded);

        var failures = 1;
        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(Interlocked.Decrement(ref failures) >= 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK));
        await FillAsync(account, Market.MarketOrder("first", "WHX", OrderSide.Buy, 1m), 1);
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures == 1, "the first attempt failed");
        await WebhookTurns.RetryScheduledAsync(webhook);

        // A second fill while the first request waits for its retry.
        await FillAsync(account, Market.MarketOrder("second", "WHX", OrderSide.Buy, 1m), 2);
        time.Advance(TimeSpan.FromSeconds(1));
        await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 2, "both fills delivered");

        var failed = _receiver.Received[0];
        var retried = _receiver.Received[1];
        Assert.Equal(500, failed.AnsweredStatus);
        Assert.Equal(
            (failed.Json.GetProperty("deliveryId").GetString(), string.Join(",", failed.Events.Select(e => e.GetProperty("sequence").GetInt64()))),
            (retried.Json.GetProperty("deliveryId").GetString(), string.Join(",", retried.Events.Select(e => e.GetProperty("sequence").GetInt64()))));
    }

    /// <summary>
    /// A retry waits the backoff it was given, counted as elapsed time: the wall clock set back an hour (an operator's
    /// mistake, NTP stepping a clock that ran fast) made the retry wait until the clock reached its stored time again, so
    /// the account's events were held an hour longer.
    /// </summary>
    [Fact]
    public async Task ARetry_GoesAfterItsBackoff_WhenTheWallClockIsSetBackAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await StartAsync(clock);
        var webhook = cluster.Grains.GetGrain<IWebhookGrain>(await FirstDeliveryFailedAsync(cluster, "wh-clock-back", "WHB", "retry", failures: 1));

        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(TimeSpan.FromSeconds(1));

        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 1, "the fill delivered a second after the failure");
        Assert.Equal(0, status!.ConsecutiveFailures);
        Assert.Equal(2, _receiver.Received.Count);
    }

    /// <summary>
    /// After a restart a retry's wait has only its stored time, and was capped at the longest wait any failure can set
    /// (MaxRetryAfter, an hour): with the wall clock set back an hour, a retry due a second after its failure held the
    /// account's events an hour. The stored wait is never longer than the one the failure set, from the attempt's time.
    /// </summary>
    [Fact]
    public async Task ARetryStoredBeforeARestart_GoesAfterItsBackoff_WhenTheWallClockWasSetBackAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await StartAsync(clock, _dir.File("restart.db"));
        var key = await FirstDeliveryFailedAsync(cluster, "wh-restart-back", "WHR", "retry", failures: 1);

        clock.Skew = -TimeSpan.FromHours(1);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var webhook = cluster.Grains.GetGrain<IWebhookGrain>(key);
        Assert.Equal(1, (await webhook.GetStatusAsync())!.ConsecutiveFailures);
        time.Advance(TimeSpan.FromSeconds(2));

        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.EventsDelivered == 1, "the fill delivered two seconds after the restart");
        Assert.Equal(0, status!.ConsecutiveFailures);
    }

    /// <summary>
    /// A webhook is disabled after a day of failures: a day of retrying. Judged on the wall clock, a clock stepped three days
    /// forward between two failures a second apart (a host resumed after a suspension, a clock set forward) disabled it at
    /// its second failure, its events held until someone resumed it.
    /// </summary>
    [Fact]
    public async Task AWebhook_StaysActive_WhenTheWallClockStepsForwardThreeDaysBetweenTwoFailures()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await StartAsync(clock);
        var webhook = cluster.Grains.GetGrain<IWebhookGrain>(await FirstDeliveryFailedAsync(cluster, "wh-clock-fwd", "WHF", "failing"));

        clock.Skew = TimeSpan.FromDays(3);
        time.Advance(TimeSpan.FromSeconds(1));

        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures == 2, "the retry failed too");
        Assert.Equal(WebhookState.Active, status!.State);
    }

    /// <summary>
    /// After a restart the failing time went on from the stored failingSince on the wall clock: a clock stepped three days
    /// forward while the silo was stopped (or a silo down three days) disabled the webhook at its first failure after the
    /// restart, a second of retrying later. The silo's downtime is not the receiver failing: the failing time goes on from
    /// the elapsed time stored with the last failure.
    /// </summary>
    [Fact]
    public async Task AWebhookFailingBeforeARestart_StaysActive_WhenTheWallClockSteppedThreeDaysForward()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await StartAsync(clock, _dir.File("restart-forward.db"));
        var key = await FirstDeliveryFailedAsync(cluster, "wh-restart-fwd", "WHS", "failing");

        clock.Skew = TimeSpan.FromDays(3);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var webhook = cluster.Grains.GetGrain<IWebhookGrain>(key);
        Assert.Equal(1, (await webhook.GetStatusAsync())!.ConsecutiveFailures);
        time.Advance(TimeSpan.FromSeconds(2));

        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures == 2, "the retry after the restart failed too");
        Assert.Equal(WebhookState.Active, status!.State);
    }

    /// <summary>
    /// After a restart the failing time went on from the stored failingSince on the wall clock: with the clock set back an
    /// hour, a webhook 5 s into a 10 s window counted minus an hour and kept failing (and holding the account's events) an
    /// hour past its window. The failing time goes on from the elapsed time stored with the last failure.
    /// </summary>
    [Fact]
    public async Task AWebhookFailingBeforeARestart_IsDisabledAtTheEndOfItsWindow_WhenTheWallClockWasSetBackAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        await using var cluster = await StartAsync(clock, _dir.File("restart-back.db"), o => o.DisableAfter = TimeSpan.FromSeconds(10));
        var key = await FirstDeliveryFailedAsync(cluster, "wh-restart-window", "WHW", "failing");
        time.Advance(TimeSpan.FromSeconds(5));
        await Eventually.WaitAsync(cluster.Grains.GetGrain<IWebhookGrain>(key).GetStatusAsync, s => s!.ConsecutiveFailures == 2, "the retry failed, 5 s into the window");

        clock.Skew = -TimeSpan.FromHours(1);
        await cluster.Cluster.RestartSiloAsync(TestContext.Current.CancellationToken);
        var webhook = cluster.Grains.GetGrain<IWebhookGrain>(key);
        Assert.Equal(2, (await webhook.GetStatusAsync())!.ConsecutiveFailures);
        time.Advance(TimeSpan.FromSeconds(5));

        var status = await Eventually.WaitAsync(webhook.GetStatusAsync, s => s!.ConsecutiveFailures == 3, "the retry after the restart failed, 10 s into the window");
        Assert.Equal(WebhookState.Disabled, status!.State);
    }

    /// <summary>
    /// An account with a webhook on its fills, whose receiver answers 500 to the first <paramref name="failures"/> deliveries
    /// (every one by default) and 200 after; returns the webhook's key once its first delivery, of a fill, has failed.
    /// </summary>
    private async Task<string> FirstDeliveryFailedAsync(TradingCluster cluster, string accountId, string symbol, string webhookId, int failures = int.MaxValue)
    {
        var account = await TestAccounts.OpenAsync(cluster, accountId, 100_000m);
        await Market.QuoteAsync(cluster, symbol, 50m, 50m);
        var key = WebhookKey.Create(accountId, webhookId);
        Assert.True((await cluster.Grains.GetGrain<IWebhookGrain>(key).CreateAsync(
            new CreateWebhook { Url = $"https://receiver.example/{webhookId}", Kinds = [AccountEventKind.Fill] })).Succeeded);

        _receiver.Respond = _ => Task.FromResult(new HttpResponseMessage(Interlocked.Decrement(ref failures) >= 0 ? HttpStatusCode.InternalServerError : HttpStatusCode.OK));
        await FillAsync(account, Market.MarketOrder("first", symbol, OrderSide.Buy, 1m), 1);
        await Eventually.WaitAsync(cluster.Grains.GetGrain<IWebhookGrain>(key).GetStatusAsync, s => s!.ConsecutiveFailures == 1, "the first attempt failed");
        await WebhookTurns.RetryScheduledAsync(cluster.Grains.GetGrain<IWebhookGrain>(key));
        return key;
    }

    private Task<TradingCluster> StartAsync(TimeProvider time, string? sqlite = null, Action<WebhookOptions>? configure = null) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            SqlitePath = sqlite,
            ConfigureSilo = silo =>
            {
                silo.Services.AddHttpClient(WebhookSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _receiver);
                if (configure is not null)
                {
                    silo.Services.Configure(configure);
                }
            },
        });
}

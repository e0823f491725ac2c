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

    public void Dispose() => _receiver.Dispose();

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

    private Task<TradingCluster> StartAsync(TimeProvider time) =>
        TradingCluster.StartAsync(new TradingClusterOptions
        {
            Time = time,
            ConfigureSilo = silo => silo.Services.AddHttpClient(WebhookSender.HttpClientName).ConfigurePrimaryHttpMessageHandler(() => _receiver),
        });
}

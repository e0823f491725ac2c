using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The webhook directory answers only what it stored: a removal whose write failed leaves the id listed in the same
/// activation, so its retry (no restart between) writes the removal. Dropped in memory only, the retry found nothing to
/// remove and wrote nothing, and the next activation listed the deleted webhook again, holding a place in the limit.
/// </summary>
public sealed class WebhookDirectoryWriteFailureTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARemovalWhoseWriteFailed_IsStillListed_AndItsRetryInTheSameActivationIsStored()
    {
        var storage = new WriteFailingStorage("webhook-directory");
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            ConfigureSilo = silo => silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, (sp, _) => storage.Over(sp)),
        });
        var directory = cluster.Grains.GetGrain<IWebhookDirectoryGrain>("dir-retry");
        Assert.True(await directory.AddAsync("w1"));
        Assert.True(await directory.AddAsync("w2"));

        storage.FailNext = true;
        await Assert.ThrowsAnyAsync<Exception>(() => directory.RemoveAsync("w1"));
        var afterFailure = await directory.ListAsync();
        await directory.RemoveAsync("w1");
        await cluster.Cluster.RestartSiloAsync(Ct);

        Assert.Equal(["w1", "w2"], afterFailure);
        Assert.Equal(["w2"], await cluster.Grains.GetGrain<IWebhookDirectoryGrain>("dir-retry").ListAsync());
    }
}

using System.Data.Common;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// A database that fails the grains' writes (an outage, a dropped connection): the API answers 503 STORAGE_UNAVAILABLE with
/// Retry-After, as for a broker that is unavailable, not a 500 "unexpected error"; once the database is back, orders go
/// through again without a restart.
/// </summary>
public sealed class StorageOutageTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task AnOrderWhoseWriteTheDatabaseFails_Is503StorageUnavailable_AndTheNextOneAfterIsPlaced()
    {
        var storage = new FailingGrainStorage(new MemoryGrainStorage());
        await using var host = await GatewayHost.StartAsync(configureSilo: silo =>
            silo.Services.AddKeyedSingleton<IGrainStorage>(GrainStorageNames.Default, storage));
        var account = await host.CreateAccountAsync();
        await host.QuoteAsync("SOUT", 20m, 20.01m);

        storage.Failing = true;
        using (var refused = await host.SendAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, Order("outage-1")))
        {
            var body = await refused.Content.ReadAsStringAsync(Ct);
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"{(int)refused.StatusCode}: {body}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal("STORAGE_UNAVAILABLE", JsonDocument.Parse(body).RootElement.GetProperty("reason").GetString());
            Assert.True(refused.Headers.RetryAfter?.Delta > TimeSpan.Zero, "no Retry-After");
            Assert.DoesNotContain("StorageDownException", body, StringComparison.Ordinal);
        }

        storage.Failing = false;
        await host.SendJsonAsync(HttpMethod.Post, $"/api/accounts/{account}/orders", host.AdminKey, Order("outage-2"), HttpStatusCode.Created);
    }

    private static object Order(string clientOrderId) =>
        new { clientOrderId, symbol = "SOUT", side = "buy", type = "market", quantity = 1, timeInForce = "day" };

    /// <summary>Grain storage whose writes fail, as a database's do while it is down, until told otherwise.</summary>
    private sealed class FailingGrainStorage(IGrainStorage inner) : IGrainStorage
    {
        public volatile bool Failing;

        public Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            inner.ReadStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task WriteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Failing ? throw new StorageDownException() : inner.WriteStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task ClearStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Failing ? throw new StorageDownException() : inner.ClearStateAsync(stateName, grainId, grainState, cancellationToken);

        public Task DeleteStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default) =>
            Failing ? throw new StorageDownException() : inner.DeleteStateAsync(stateName, grainId, grainState, cancellationToken);
    }

    /// <summary>What Npgsql and Microsoft.Data.Sqlite throw derives from DbException.</summary>
    private sealed class StorageDownException() : DbException("Failed to connect to 127.0.0.1:5432");
}

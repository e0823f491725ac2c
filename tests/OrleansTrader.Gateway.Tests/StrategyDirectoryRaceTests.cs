using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Two requests creating one strategy id at once: the refused one must not take the created one out of the account's
/// list. The gateway removed the place it had reserved after the strategy refused, so a refusal whose removal came after
/// the other request's create left a strategy that exists, and may trade, missing from GET .../strategies and from the
/// per-account count.
/// </summary>
public sealed class StrategyDirectoryRaceTests
{
    [Fact]
    public async Task ARefusedCreate_RacingASuccessfulOneForTheSameId_LeavesTheCreatedStrategyListed()
    {
        var ct = TestContext.Current.CancellationToken;
        await using var host = await GatewayHost.StartAsync();
        var account = await host.CreateAccountAsync();
        var held = new HeldDirectoryRemovals(host.Grains);

        // The refused request is held where it removes a directory entry (if it does), the other runs meanwhile.
        var refused = StrategiesApi.CreateAsync(account, Request(fastPeriod: "0"), held);
        await Task.WhenAny(held.Entered, refused).WaitAsync(TimeSpan.FromMinutes(1), ct);
        var created = await StrategiesApi.CreateAsync(account, Request(fastPeriod: "3"), host.Grains);
        held.Release();

        Assert.Equal(StatusCodes.Status422UnprocessableEntity, Assert.IsType<ProblemHttpResult>((await refused).Result).StatusCode);
        Assert.IsType<Created<StrategyStatus>>(created.Result);
        var listed = await host.SendJsonAsync(HttpMethod.Get, $"/api/accounts/{account}/strategies", host.AdminKey, null, HttpStatusCode.OK);
        Assert.Equal(["raced"], listed.EnumerateArray().Select(s => s.GetProperty("strategyId").GetString()));
    }

    private static CreateStrategyRequest Request(string fastPeriod) => new()
    {
        StrategyId = "raced", Kind = "sma-crossover", Symbols = ["STRR"],
        Parameters = new Dictionary<string, string> { ["quantity"] = "5", ["fastPeriod"] = fastPeriod, ["slowPeriod"] = "8" },
    };

    /// <summary>The silo's grains, except that a directory removal made through this factory waits until released.</summary>
    private sealed class HeldDirectoryRemovals(IGrainFactory grains) : IGrainFactory
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
            where TGrainInterface : IGrainWithStringKey =>
            typeof(TGrainInterface) == typeof(IStrategyDirectoryGrain)
                ? (TGrainInterface)(object)new HeldDirectory(grains.GetGrain<IStrategyDirectoryGrain>(primaryKey), this)
                : grains.GetGrain<TGrainInterface>(primaryKey);

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
            where TGrainInterface : IGrainWithGuidKey => grains.GetGrain<TGrainInterface>(primaryKey);

        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
            where TGrainInterface : IGrainWithIntegerKey => grains.GetGrain<TGrainInterface>(primaryKey);

        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
            where TGrainInterface : IGrain => grains.GetGrain<TGrainInterface>(grainId);

        private sealed class HeldDirectory(IStrategyDirectoryGrain directory, HeldDirectoryRemovals owner) : IStrategyDirectoryGrain
        {
            public Task<bool> AddAsync(string strategyId) => directory.AddAsync(strategyId);

            public async Task RemoveAsync(string strategyId)
            {
                owner._entered.TrySetResult();
                await owner._released.Task;
                await directory.RemoveAsync(strategyId);
            }

            public Task<IReadOnlyList<string>> ListAsync() => directory.ListAsync();
        }
    }
}

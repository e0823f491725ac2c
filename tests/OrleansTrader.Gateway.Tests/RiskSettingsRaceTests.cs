using System.Reflection;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// LESSONS 3: two partial changes of one account's risk limits (or breaker policy) at once. A PUT keeps the fields it
/// omits, so each change is merged into the account's current values; merged from values read before the other change
/// was stored, the later write put the older value back, and a limit one risk officer had just tightened was loosened
/// again while both were told 200 with what they asked for.
/// </summary>
[Collection(GatewayCollection.Name)]
public sealed class RiskSettingsRaceTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task TwoPartialRiskLimitChangesAtOnce_BothHold()
    {
        var account = await Host.CreateAccountAsync();
        var held = new HeldAccountWrites(Host.Grains, nameof(IAccountGrain.SetRiskLimitsAsync));

        // The first change has read the limits and merged its field; it is held before its write while the second runs.
        var tightening = RiskApi.SetRiskLimitsAsync(account, new RiskLimitsRequest { MaxOrderNotional = 1_000m }, held);
        await Task.WhenAny(held.Entered, tightening).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var other = await RiskApi.SetRiskLimitsAsync(account, new RiskLimitsRequest { MaxOpenOrders = 5 }, Host.Grains);
        held.Release();
        var tightened = await tightening;

        Assert.IsType<Ok<RiskLimits>>(other.Result);
        Assert.Equal(1_000m, Assert.IsType<Ok<RiskLimits>>(tightened.Result).Value!.MaxOrderNotional);
        var limits = await Host.Grains.GetGrain<IAccountGrain>(account).GetRiskLimitsAsync();
        Assert.Equal((1_000m, 5), (limits!.MaxOrderNotional, limits.MaxOpenOrders));
    }

    [Fact]
    public async Task TwoPartialBreakerPolicyChangesAtOnce_BothHold()
    {
        var account = await Host.CreateAccountAsync();
        var held = new HeldAccountWrites(Host.Grains, nameof(IAccountGrain.SetBreakerPolicyAsync));

        var tightening = RiskApi.SetBreakerPolicyAsync(account, new BreakerPolicyRequest { DailyLossLimit = 300m }, held);
        await Task.WhenAny(held.Entered, tightening).WaitAsync(TimeSpan.FromMinutes(1), TestContext.Current.CancellationToken);
        var other = await RiskApi.SetBreakerPolicyAsync(account, new BreakerPolicyRequest { MaxDrawdownPercent = 4m }, Host.Grains);
        held.Release();
        var tightened = await tightening;

        Assert.IsType<Ok<BreakerPolicy>>(other.Result);
        Assert.Equal(300m, Assert.IsType<Ok<BreakerPolicy>>(tightened.Result).Value!.DailyLossLimit);
        var policy = await Host.Grains.GetGrain<IAccountGrain>(account).GetBreakerPolicyAsync();
        Assert.Equal((300m, 4m), (policy!.DailyLossLimit, policy.MaxDrawdownPercent));
        var breaker = await Host.Grains.GetGrain<IBreakerGrain>(account).GetPolicyAsync();
        Assert.Equal((300m, 4m), (breaker.DailyLossLimit, breaker.MaxDrawdownPercent));
    }

    /// <summary>The silo's grains, except that the first call of one account method made through this factory waits until released.</summary>
    private sealed class HeldAccountWrites(IGrainFactory grains, string method) : IGrainFactory
    {
        private readonly TaskCompletionSource _entered = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _calls;

        public Task Entered => _entered.Task;

        public void Release() => _released.TrySetResult();

        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
            where TGrainInterface : IGrainWithStringKey
        {
            var grain = grains.GetGrain<TGrainInterface>(primaryKey);
            if (typeof(TGrainInterface) != typeof(IAccountGrain))
            {
                return grain;
            }

            var proxy = DispatchProxy.Create<IAccountGrain, HoldingProxy>();
            ((HoldingProxy)(object)proxy).Wrap((IAccountGrain)grain, this);
            return (TGrainInterface)(object)proxy;
        }

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
            where TGrainInterface : IGrainWithGuidKey => grains.GetGrain<TGrainInterface>(primaryKey);

        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
            where TGrainInterface : IGrainWithIntegerKey => grains.GetGrain<TGrainInterface>(primaryKey);

        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
            where TGrainInterface : IGrain => grains.GetGrain<TGrainInterface>(grainId);

        /// <summary>Whether this call is the one held: the first of the method.</summary>
        private bool Holds(MethodInfo called) => called.Name == method && Interlocked.Increment(ref _calls) == 1;

        /// <summary>Forwards every call to the account grain, the held one once released.</summary>
        public class HoldingProxy : DispatchProxy
        {
            private IAccountGrain? _target;
            private HeldAccountWrites? _owner;

            internal void Wrap(IAccountGrain target, HeldAccountWrites owner) => (_target, _owner) = (target, owner);

            protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
            {
                ArgumentNullException.ThrowIfNull(targetMethod);
                if (!_owner!.Holds(targetMethod))
                {
                    return targetMethod.Invoke(_target, args);
                }

                _owner._entered.TrySetResult();
                return HeldAsync(targetMethod, args);
            }

            private async Task<AccountCommandResult> HeldAsync(MethodInfo targetMethod, object?[]? args)
            {
                await _owner!._released.Task;
                return await (Task<AccountCommandResult>)targetMethod.Invoke(_target, args)!;
            }
        }
    }
}

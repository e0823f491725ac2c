using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Samples;

[GrainType("sample-price-alert")]
public sealed class PriceAlertGrain([PersistentState("alert")] IPersistentState<PriceAlertState> state) : Grain, IPriceAlertGrain, IRemindable
{
    // A memory-stream subscription lives only as long as this activation: every activation subscribes again, and the
    // reminder activates the alert after a restart or an idle collection, so it hears the ticks again without a call.
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var ticks = this.GetStreamProvider(StreamNames.MemoryProvider)
            .GetStream<MarketTick>(StreamId.Create(StreamNames.Ticks, this.GetPrimaryKeyString()));
        await ticks.SubscribeAsync(OnTickAsync);
    }

    public async Task SetThresholdAsync(decimal above)
    {
        state.State = state.State with { Threshold = above };
        await state.WriteStateAsync();
        await this.RegisterOrUpdateReminder("check", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
    }

    public Task<PriceAlert> GetAsync()
    {
        var current = state.State;
        return Task.FromResult(new PriceAlert(this.GetPrimaryKeyString(), current.Threshold, current.LastPrice, current.Triggered, current.Checks));
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        state.State = state.State with { Checks = state.State.Checks + 1 };
        await state.WriteStateAsync();
    }

    private async Task OnTickAsync(MarketTick tick, StreamSequenceToken? token)
    {
        if (tick.Trade is not { } trade)
        {
            return;
        }

        var above = state.State.Threshold is { } threshold && trade.Price > threshold;
        state.State = state.State with { LastPrice = trade.Price, Triggered = state.State.Triggered + (above ? 1 : 0) };
        await state.WriteStateAsync();
    }
}

namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>
/// Publishes a notice of its unsaved change to the memory stream "deactivation-notices" before writing it in
/// OnDeactivateAsync, as a grain that notifies, then persists, does: a publish that throws would leave the change unwritten.
/// </summary>
[GrainType("notice-on-deactivate")]
public sealed class NoticeOnDeactivateGrain([PersistentState("counter")] IPersistentState<CounterState> state) : Grain, INoticeOnDeactivateGrain
{
    private bool _dirty;

    public Task AddLater(int amount)
    {
        state.State.Value += amount;
        _dirty = true;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            var notices = this.GetStreamProvider("memory").GetStream<TestEvent>(StreamId.Create("deactivation-notices", this.GetPrimaryKeyString()));
            await notices.OnNextAsync(new TestEvent(state.State.Value));
            await state.WriteStateAsync(cancellationToken);
        }
    }
}

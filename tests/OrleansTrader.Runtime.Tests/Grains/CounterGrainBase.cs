namespace OrleansTrader.Runtime.Tests.Grains;

public abstract class CounterGrainBase(IPersistentState<CounterState> state) : Grain, ICounterOperations
{
    private readonly Guid _activationId = Guid.NewGuid();
    private int _seenInActivate = -1;
    private bool _dirty;

    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _seenInActivate = state.RecordExists ? state.State.Value : -1;
        return Task.CompletedTask;
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        if (_dirty)
        {
            await state.WriteStateAsync(cancellationToken);
        }
    }

    public async Task<int> Add(int amount)
    {
        state.State.Value += amount;
        await state.WriteStateAsync();
        _dirty = false;
        return state.State.Value;
    }

    public Task<int> AddLater(int amount)
    {
        state.State.Value += amount;
        _dirty = true;
        return Task.FromResult(state.State.Value);
    }

    public Task<int> Get() => Task.FromResult(state.State.Value);

    public async Task<int> ClearAndGet()
    {
        await state.ClearStateAsync();
        _dirty = false;
        return state.State.Value;
    }

    public Task<int> SeenInActivate() => Task.FromResult(_seenInActivate);

    public Task<Guid> GetActivationId() => Task.FromResult(_activationId);
}

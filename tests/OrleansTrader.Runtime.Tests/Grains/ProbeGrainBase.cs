namespace OrleansTrader.Runtime.Tests.Grains;

public abstract class ProbeGrainBase : Grain, IProbeOperations
{
    private readonly List<string> _log = [];
    private readonly Guid _activationId = Guid.NewGuid();

    protected ProbeGrainBase(TestProbe probe)
    {
        Probe = probe;
        Probe.Increment(this.GetPrimaryKeyString() + "/constructed");
    }

    protected TestProbe Probe { get; }

    private string Key => this.GetPrimaryKeyString();

    public Task<Guid> GetActivationId() => Task.FromResult(_activationId);

    public Task Enter(string callId) => EnterCore(callId);

    public Task ReadEnter(string callId) => EnterCore(callId);

    public Task InterleaveEnter(string callId) => EnterCore(callId);

    public Task<IReadOnlyList<string>> GetLog() => Task.FromResult<IReadOnlyList<string>>([.. _log]);

    public Task<int> ReadInterleaved() => Task.FromResult(_log.Count);

    public Task FireAndForget(string callId) => EnterCore(callId);

    public Task Throw(string message) => throw new InvalidOperationException(message);

    public Task<string?> GetRequestContext(string key) => Task.FromResult(RequestContext.Get(key) as string);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public Task DeactivateThenEnter(string callId)
    {
        DeactivateOnIdle();
        return EnterCore(callId);
    }

    public Task KeepAliveFor(TimeSpan timeSpan)
    {
        DelayDeactivation(timeSpan);
        return Task.CompletedTask;
    }

    public ValueTask<int> Echo(int value) => ValueTask.FromResult(value);

    public ValueTask Nothing() => ValueTask.CompletedTask;

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        Probe.LogAndNotify(Key + "/deactivated", reason.ReasonCode.ToString());
        return Task.CompletedTask;
    }

    private async Task EnterCore(string callId)
    {
        _log.Add("enter " + callId);
        Probe.Increment(Key + "/calls/" + callId);
        Probe.Signal(Key + "/entered/" + callId);
        await Probe.WaitAsync(Key + "/gate/" + callId);
        _log.Add("exit " + callId);
        Probe.Signal(Key + "/exited/" + callId);
    }
}

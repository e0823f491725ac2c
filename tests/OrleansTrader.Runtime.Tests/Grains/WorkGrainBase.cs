using System.Globalization;

namespace OrleansTrader.Runtime.Tests.Grains;

public abstract class WorkGrainBase : Grain, IWorkGrain
{
    private readonly Guid _activationId = Guid.NewGuid();
    private readonly TestProbe _probe;

    protected WorkGrainBase(TestProbe probe)
    {
        _probe = probe;
        _probe.Increment(Key + "/constructed");
    }

    private string Key => this.GetPrimaryKeyLong().ToString(CultureInfo.InvariantCulture);

    public async Task<Guid> Work(string callId)
    {
        _probe.RecordMax(Key + "/max-running", _probe.Increment(Key + "/running"));
        _probe.Signal(Key + "/entered/" + callId);
        await _probe.WaitAsync(Key + "/gate/" + callId);
        _probe.Decrement(Key + "/running");
        return _activationId;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _probe.LogAndNotify(Key + "/deactivated", reason.ReasonCode.ToString());
        return Task.CompletedTask;
    }
}

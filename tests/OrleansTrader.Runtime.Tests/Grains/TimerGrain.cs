namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Each tick logs start/end; when gated, tick n waits for "{key}/tick-gate/{n}".</summary>
public sealed class TimerGrain(TestProbe probe) : Grain, ITimerGrain
{
    private readonly List<string> _log = [];
    private readonly Guid _activationId = Guid.NewGuid();
    private int _ticks;
    private int _running;
    private bool _gated;
    private IGrainTimer? _timer;
    private (TimeSpan DueTime, TimeSpan Period)? _changeInFirstTick;

    private string Key => this.GetPrimaryKeyString();

    public Task StartTimer(TimeSpan dueTime, TimeSpan period, bool interleave, bool gated)
    {
        _gated = gated;
        _timer = RegisterGrainTimer(static (self, ct) => self.TickAsync(), this, new GrainTimerCreationOptions(dueTime, period) { Interleave = interleave });
        return Task.CompletedTask;
    }

    public Task StartKeepAliveTimer(TimeSpan dueTime, TimeSpan period, bool keepAlive)
    {
        RegisterGrainTimer(static (self, ct) => self.TickAsync(), this, new GrainTimerCreationOptions(dueTime, period) { KeepAlive = keepAlive });
        return Task.CompletedTask;
    }

    public Task StartTimerWithThrowingCancellationCallback(TimeSpan dueTime, TimeSpan period)
    {
        _timer = RegisterGrainTimer(
            static (self, ct) =>
            {
                ct.Register(static () => throw new InvalidOperationException("a cancellation callback failed"));
                return self.TickAsync();
            },
            this,
            new GrainTimerCreationOptions(dueTime, period));
        return Task.CompletedTask;
    }

    public Task StartTimerThatChangesItself(TimeSpan dueTime, TimeSpan period, TimeSpan newDueTime, TimeSpan newPeriod)
    {
        _changeInFirstTick = (newDueTime, newPeriod);
        _timer = RegisterGrainTimer(static (self, ct) => self.TickAsync(), this, new GrainTimerCreationOptions(dueTime, period));
        return Task.CompletedTask;
    }

    public Task ChangeTimer(TimeSpan dueTime, TimeSpan period)
    {
        _timer!.Change(dueTime, period);
        return Task.CompletedTask;
    }

    public Task<Guid> GetActivationId() => Task.FromResult(_activationId);

    public async Task Block(string callId)
    {
        _log.Add("enter " + callId);
        probe.Signal(Key + "/entered/" + callId);
        await probe.WaitAsync(Key + "/gate/" + callId);
        _log.Add("exit " + callId);
        probe.Signal(Key + "/exited/" + callId);
    }

    public Task Ping() => Task.CompletedTask;

    public Task<IReadOnlyList<string>> GetLog() => Task.FromResult<IReadOnlyList<string>>([.. _log]);

    public Task Deactivate()
    {
        DeactivateOnIdle();
        return Task.CompletedTask;
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        probe.Log(Key + "/deactivation-reasons", reason.ReasonCode.ToString());
        probe.Signal(Key + "/deactivated");
        return Task.CompletedTask;
    }

    private async Task TickAsync()
    {
        var n = ++_ticks;
        if (Interlocked.Increment(ref _running) > 1)
        {
            _log.Add("overlap");
        }

        _log.Add("tick-start " + n);
        probe.Increment(Key + "/ticks");
        if (n == 1 && _changeInFirstTick is { } change)
        {
            _timer!.Change(change.DueTime, change.Period);
        }

        probe.Signal(Key + "/tick/" + n);
        if (_gated)
        {
            await probe.WaitAsync(Key + "/tick-gate/" + n);
        }

        _log.Add("tick-end " + n);
        Interlocked.Decrement(ref _running);
        probe.Signal(Key + "/tick-end/" + n);
    }
}

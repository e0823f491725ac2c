namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>
/// OnActivateAsync waits for its gate (so calls queue up), or until the runtime cancels its token, and throws while the
/// "fail" flag is set. With the "throwing-cancel-callback" flag it leaves a callback on its token that throws when cancelled.
/// </summary>
public sealed class FailingActivationGrain(TestProbe probe) : Grain, IFailingActivationGrain
{
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        var key = this.GetPrimaryKeyString();
        probe.Increment(key + "/activations");
        if (probe.GetFlag(key + "/throwing-cancel-callback"))
        {
            cancellationToken.Register(static () => throw new InvalidOperationException("a cancellation callback failed"));
        }

        probe.Signal(key + "/activating");
        if (probe.GetFlag(key + "/gated"))
        {
            try
            {
                await probe.WaitAsync(key + "/activate-gate").WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                probe.Signal(key + "/activation-cancelled");
                throw;
            }
        }

        if (probe.GetFlag(key + "/fail"))
        {
            throw new InvalidOperationException("activation failed for " + key);
        }
    }

    public Task<string> Ping() => Task.FromResult("pong");
}

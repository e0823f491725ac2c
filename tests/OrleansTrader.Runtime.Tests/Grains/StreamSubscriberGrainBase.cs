namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>
/// Subscribes to its own stream (key = grain key) in OnActivateAsync, Orleans-style, and logs what it receives. With the
/// "activation-gated" flag its activation waits for a gate (or for the runtime to cancel it) first.
/// </summary>
public abstract class StreamSubscriberGrainBase(TestProbe probe, string providerName, string streamNamespace) : Grain, IStreamSubscriberGrain
{
    private string Key => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (probe.GetFlag(Key + "/activation-gated"))
        {
            probe.Increment(Key + "/gated-activations");
            probe.Signal(Key + "/activating");
            try
            {
                await probe.WaitAsync(Key + "/activation-gate").WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                probe.Signal(Key + "/activation-cancelled");
                throw;
            }
        }

        probe.LogAndNotify(Key + "/activated", providerName);
        var stream = this.GetStreamProvider(providerName).GetStream<TestEvent>(StreamId.Create(streamNamespace, Key));
        await stream.SubscribeAsync(OnEventAsync);
    }

    public Task<int> Ping() => Task.FromResult(1);

    private async Task OnEventAsync(TestEvent item, StreamSequenceToken? token)
    {
        switch (item.Kind)
        {
            case "poison":
                probe.Increment(Key + "/poison-attempts");
                throw new InvalidOperationException("poison " + item.Number);
            case "flaky" when probe.Increment($"{Key}/flaky/{item.Number}") <= 2:
                throw new InvalidOperationException("flaky " + item.Number);
            case "block":
                probe.Signal($"{Key}/entered/{item.Number}");
                probe.LogAndNotify(Key + "/block-entered", item.Number.ToString(System.Globalization.CultureInfo.InvariantCulture));
                await probe.WaitAsync($"{Key}/gate/{item.Number}");
                break;
        }

        probe.Keep(Key + "/received", item);
        probe.LogAndNotify(Key + "/received", $"{item.Number}@{token?.SequenceNumber ?? 0}");
    }
}

namespace OrleansTrader.Brokers.Tests.Alpaca;

public sealed class RecordingHealthListener : IBrokerHealthListener
{
    private readonly Lock _gate = new();
    private readonly List<string> _events = [];

    public TaskCompletionSource Opened { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public TaskCompletionSource Closed { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes the first time the stream reports healthy (connected, subscribed, caught up).</summary>
    public TaskCompletionSource StreamHealthy { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public IReadOnlyList<string> Events
    {
        get
        {
            lock (_gate)
            {
                return [.. _events];
            }
        }
    }

    public void OnCircuitOpened(string brokerName, TimeSpan breakDuration)
    {
        Record($"opened:{brokerName}");
        Opened.TrySetResult();
    }

    public void OnCircuitClosed(string brokerName)
    {
        Record($"closed:{brokerName}");
        Closed.TrySetResult();
    }

    public void OnStreamHealthChanged(string brokerName, bool healthy)
    {
        Record($"stream:{(healthy ? "healthy" : "unhealthy")}");
        if (healthy)
        {
            StreamHealthy.TrySetResult();
        }
    }

    private void Record(string text)
    {
        lock (_gate)
        {
            _events.Add(text);
        }
    }
}

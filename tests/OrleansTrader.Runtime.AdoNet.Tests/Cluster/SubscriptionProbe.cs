namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>What subscriber grains saw, shared across silo restarts (registered as an instance); tests wait on it.</summary>
public sealed class SubscriptionProbe
{
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<string>> _logs = new(StringComparer.Ordinal);
    private readonly List<(string Key, int Count, TaskCompletionSource<IReadOnlyList<string>> Reached)> _waiters = [];

    public void Log(string key, string entry)
    {
        List<(TaskCompletionSource<IReadOnlyList<string>> Reached, IReadOnlyList<string> Entries)> reached = [];
        lock (_lock)
        {
            if (!_logs.TryGetValue(key, out var log))
            {
                _logs[key] = log = [];
            }

            log.Add(entry);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Key == key && log.Count >= _waiters[i].Count)
                {
                    reached.Add((_waiters[i].Reached, [.. log]));
                    _waiters.RemoveAt(i);
                }
            }
        }

        foreach (var (waiter, entries) in reached)
        {
            waiter.TrySetResult(entries);
        }
    }

    public IReadOnlyList<string> Get(string key)
    {
        lock (_lock)
        {
            return _logs.TryGetValue(key, out var log) ? [.. log] : [];
        }
    }

    /// <summary>The entries once there are at least <paramref name="count"/>; fails the test instead of hanging.</summary>
    public Task<IReadOnlyList<string>> WaitForAsync(string key, int count)
    {
        var reached = new TaskCompletionSource<IReadOnlyList<string>>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lock)
        {
            if (_logs.TryGetValue(key, out var log) && log.Count >= count)
            {
                return Task.FromResult<IReadOnlyList<string>>([.. log]);
            }

            _waiters.Add((key, count, reached));
        }

        return reached.Task.WaitAsync(FailAfter);
    }
}

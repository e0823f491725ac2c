using System.Collections.Concurrent;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// Shared between tests and grains (a DI singleton): gates grains wait on, signals tests wait for, counters and logs.
/// Every key is unique per test, so tests sharing a cluster never see each other's data.
/// </summary>
public sealed class TestProbe
{
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(20);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _signals = new();
    private readonly ConcurrentDictionary<string, int> _counters = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<string>> _logs = new();
    private readonly ConcurrentDictionary<string, bool> _flags = new();
    private readonly ConcurrentDictionary<string, ConcurrentQueue<object>> _objects = new();

    public void Signal(string key) => GetSignal(key).TrySetResult();

    public bool IsSignaled(string key) => GetSignal(key).Task.IsCompleted;

    /// <summary>Waits for a signal; fails the test (rather than hanging) if it never comes.</summary>
    public Task WaitAsync(string key) => GetSignal(key).Task.WaitAsync(FailAfter);

    /// <summary>The signal itself, without a time limit (to race against other signals with Task.WhenAny).</summary>
    public Task WhenSignaled(string key) => GetSignal(key).Task;

    public int Increment(string key) => _counters.AddOrUpdate(key, 1, (_, v) => v + 1);

    public int Decrement(string key) => _counters.AddOrUpdate(key, -1, (_, v) => v - 1);

    /// <summary>Keeps the largest value recorded under <paramref name="key"/> (read it with <see cref="Count"/>).</summary>
    public void RecordMax(string key, int value) => _counters.AddOrUpdate(key, value, (_, v) => Math.Max(v, value));

    public int Count(string key) => _counters.GetValueOrDefault(key);

    public void Log(string key, string entry) => _logs.GetOrAdd(key, _ => new ConcurrentQueue<string>()).Enqueue(entry);

    public IReadOnlyList<string> GetLog(string key) => _logs.TryGetValue(key, out var log) ? [.. log] : [];

    /// <summary>Keeps the object itself (for tests about identity: the same instance or a copy).</summary>
    public void Keep(string key, object item) => _objects.GetOrAdd(key, _ => new ConcurrentQueue<object>()).Enqueue(item);

    public IReadOnlyList<object> GetKept(string key) => _objects.TryGetValue(key, out var kept) ? [.. kept] : [];

    public void SetFlag(string key, bool value) => _flags[key] = value;

    public bool GetFlag(string key) => _flags.GetValueOrDefault(key);

    /// <summary>Waits until <paramref name="count"/> entries are logged under <paramref name="key"/>.</summary>
    public async Task<IReadOnlyList<string>> WaitForLogAsync(string key, int count)
    {
        var deadline = Task.Delay(FailAfter);
        while (GetLog(key).Count < count)
        {
            var signal = GetSignal(key + "#logged");
            if (GetLog(key).Count >= count)
            {
                break;
            }

            if (await Task.WhenAny(signal.Task, deadline) == deadline)
            {
                throw new TimeoutException($"Log '{key}' has {GetLog(key).Count} entries, expected {count}: {string.Join(", ", GetLog(key))}");
            }

            _signals.TryRemove(new KeyValuePair<string, TaskCompletionSource>(key + "#logged", signal));
        }

        return GetLog(key);
    }

    /// <summary>Logs and wakes anyone waiting in <see cref="WaitForLogAsync"/>.</summary>
    public void LogAndNotify(string key, string entry)
    {
        Log(key, entry);
        GetSignal(key + "#logged").TrySetResult();
    }

    private TaskCompletionSource GetSignal(string key) =>
        _signals.GetOrAdd(key, _ => new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously));
}

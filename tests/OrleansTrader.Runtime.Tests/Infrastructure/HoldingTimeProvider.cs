using System.Runtime.CompilerServices;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// A fake clock that can stop one caller part-way through the runtime, where no other hook reaches: in a flow marked with
/// <see cref="HoldThisFlowAtRead"/>, that clock read blocks its thread (the runtime reads the clock synchronously) until
/// <see cref="Release"/>. Every other read, and every timer, is <paramref name="inner"/>'s.
/// </summary>
public sealed class HoldingTimeProvider(FakeTimeProvider inner) : TimeProvider, IDisposable
{
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(20);
    private readonly AsyncLocal<StrongBox<int>?> _readsUntilHold = new();
    private readonly ManualResetEventSlim _released = new();
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the marked flow is held.</summary>
    public Task Held => _held.Task;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => inner.TimestampFrequency;

    /// <summary>The current flow (and calls it makes synchronously) is held at its clock read number <paramref name="read"/>.</summary>
    public void HoldThisFlowAtRead(int read) => _readsUntilHold.Value = new StrongBox<int>(read);

    public void Release() => _released.Set();

    public override long GetTimestamp()
    {
        if (_readsUntilHold.Value is { } readsLeft && --readsLeft.Value == 0)
        {
            _held.TrySetResult();
            if (!_released.Wait(FailAfter))
            {
                throw new TimeoutException("The held clock read was never released.");
            }
        }

        return inner.GetTimestamp();
    }

    public override DateTimeOffset GetUtcNow() => inner.GetUtcNow();

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period) =>
        inner.CreateTimer(callback, state, dueTime, period);

    public void Dispose() => _released.Dispose();
}

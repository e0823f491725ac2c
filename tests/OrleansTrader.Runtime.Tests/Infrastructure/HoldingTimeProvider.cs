using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Runtime.Tests;

/// <summary>
/// A fake clock that can stop one caller part-way through the runtime, where no other hook reaches: in a flow marked with
/// <see cref="HoldThisFlowAtFirstReadWithin"/>, the first clock read made inside the given method blocks its thread (the
/// runtime reads the clock synchronously) until <see cref="Release"/>. Every other read, and every timer, is
/// <paramref name="inner"/>'s. The place is named by method, not by the number of reads before it, so a clock read added
/// elsewhere on the path does not move the hold.
/// </summary>
public sealed class HoldingTimeProvider(FakeTimeProvider inner) : TimeProvider, IDisposable
{
    private static readonly TimeSpan FailAfter = TimeSpan.FromSeconds(20);
    private readonly AsyncLocal<StrongBox<MethodBase?>?> _holdWithin = new();
    private readonly ManualResetEventSlim _released = new();
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when the marked flow is held.</summary>
    public Task Held => _held.Task;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    public override long TimestampFrequency => inner.TimestampFrequency;

    /// <summary>
    /// The current flow (and calls it makes synchronously) is held at its first clock read while <paramref name="method"/>
    /// is on its stack. A method that no longer reads the clock is never held, and <see cref="Held"/> never completes.
    /// </summary>
    public void HoldThisFlowAtFirstReadWithin(MethodBase method) => _holdWithin.Value = new StrongBox<MethodBase?>(method);

    public void Release() => _released.Set();

    public override long GetTimestamp()
    {
        if (_holdWithin.Value is { Value: { } method } hold && IsOnStack(method))
        {
            hold.Value = null;
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

    private static bool IsOnStack(MethodBase method) =>
        new StackTrace(1, fNeedFileInfo: false).GetFrames().Any(frame => frame.GetMethod() == method);
}

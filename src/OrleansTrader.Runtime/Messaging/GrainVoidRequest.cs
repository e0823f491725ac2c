using System.Threading.Tasks.Sources;

namespace OrleansTrader.Runtime;

/// <summary>Base of generated requests for methods returning Task or ValueTask.</summary>
public abstract class GrainVoidRequest : GrainRequest, IValueTaskSource
{
    private ManualResetValueTaskSourceCore<bool> _core;

    internal override object? BoxedResult
    {
        get => null;
        set
        {
        }
    }

    /// <summary>The caller's view of the call.</summary>
    public ValueTask AsValueTask() => new(this, _core.Version);

    /// <summary>Calls the grain method with the request's arguments.</summary>
    protected abstract ValueTask InvokeCore(object grain);

    internal override ValueTask InvokeAsync(object grain)
    {
        ValueTask pending;
        try
        {
            pending = InvokeCore(grain);
        }
        catch (Exception ex)
        {
            StoreFault(ex);
            return default;
        }

        return pending.IsCompletedSuccessfully ? default : AwaitAsync(pending);
    }

    internal override async ValueTask InvokeForFilterAsync(object grain) => await InvokeCore(grain);

    internal override void Complete()
    {
        if (Fault is { } fault)
        {
            TryFail(fault);
        }
        else
        {
            TrySetResult();
        }
    }

    internal bool TrySetResult()
    {
        if (!TryBeginCompletion())
        {
            return false;
        }

        _core.SetResult(true);
        return true;
    }

    private protected override void SetExceptionCore(Exception exception) => _core.SetException(exception);

    private async ValueTask AwaitAsync(ValueTask pending)
    {
        try
        {
            await pending;
        }
        catch (Exception ex)
        {
            StoreFault(ex);
        }
    }

    void IValueTaskSource.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

using System.Threading.Tasks.Sources;

namespace OrleansTrader.Runtime;

/// <summary>Base of generated requests for methods returning Task&lt;T&gt; or ValueTask&lt;T&gt;.</summary>
public abstract class GrainRequest<TResult> : GrainRequest, IValueTaskSource<TResult>
{
    private ManualResetValueTaskSourceCore<TResult> _core;
    private TResult? _result;

    internal override object? BoxedResult
    {
        get => _result;
        set => _result = (TResult?)value;
    }

    /// <summary>The caller's view of the call.</summary>
    public ValueTask<TResult> AsValueTask() => new(this, _core.Version);

    /// <summary>Calls the grain method with the request's arguments.</summary>
    protected abstract ValueTask<TResult> InvokeCore(object grain);

    internal override ValueTask InvokeAsync(object grain)
    {
        ValueTask<TResult> pending;
        try
        {
            pending = InvokeCore(grain);
        }
        catch (Exception ex)
        {
            StoreFault(ex);
            return default;
        }

        if (pending.IsCompletedSuccessfully)
        {
            _result = pending.Result;
            return default;
        }

        return AwaitAsync(pending);
    }

    internal override async ValueTask InvokeForFilterAsync(object grain) => _result = await InvokeCore(grain);

    internal override void Complete()
    {
        if (Fault is { } fault)
        {
            TryFail(fault);
        }
        else
        {
            TrySetResult(_result!);
        }
    }

    internal bool TrySetResult(TResult result)
    {
        if (!TryBeginCompletion())
        {
            return false;
        }

        _core.SetResult(result);
        return true;
    }

    private protected override void SetExceptionCore(Exception exception) => _core.SetException(exception);

    private async ValueTask AwaitAsync(ValueTask<TResult> pending)
    {
        try
        {
            _result = await pending;
        }
        catch (Exception ex)
        {
            StoreFault(ex);
        }
    }

    TResult IValueTaskSource<TResult>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<TResult>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<TResult>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}

namespace OrleansTrader.Runtime;

/// <summary>
/// One call to a grain: the arguments (fields of a generated subclass), the code that invokes the grain method, and the
/// completion the caller awaits. Generated proxies create one per call; it is both the message body and the
/// <see cref="System.Threading.Tasks.Sources.IValueTaskSource"/> behind the caller's task, so a call allocates no Task of its own.
/// </summary>
public abstract class GrainRequest
{
    private int _completed;
    private bool _timedOut;

    /// <summary>The grain interface's full name.</summary>
    public abstract string InterfaceName { get; }

    public abstract string MethodName { get; }

    /// <summary>A stable id: a hash of the method name and parameter types, computed by the generator.</summary>
    public abstract int MethodId { get; }

    public virtual GrainRequestOptions Options => GrainRequestOptions.None;

    /// <summary>The exception the grain method threw, if it threw.</summary>
    internal Exception? Fault { get; private set; }

    internal bool IsCompleted => Volatile.Read(ref _completed) != 0;

    /// <summary>
    /// Invokes the grain method and keeps its outcome; never throws. The activation ends the turn first and then calls
    /// <see cref="Complete"/>, so a caller never observes a response before the callee's turn is over.
    /// </summary>
    internal abstract ValueTask InvokeAsync(object grain);

    /// <summary>Invokes the grain method for a filter chain: keeps the result, lets exceptions propagate to the filters.</summary>
    internal abstract ValueTask InvokeForFilterAsync(object grain);

    /// <summary>Completes the caller with the kept outcome, unless the call already completed (for example, timed out).</summary>
    internal abstract void Complete();

    /// <summary>Keeps an exception as the call's outcome (the grain method or a filter threw).</summary>
    internal void StoreFault(Exception exception) => Fault = exception;

    internal abstract object? BoxedResult { get; set; }

    /// <summary>Completes the caller with an exception, unless the call already completed (for example, timed out).</summary>
    internal bool TryFail(Exception exception)
    {
        Fault = exception;
        return TryFailCaller(exception);
    }

    private bool TryFailCaller(Exception exception)
    {
        if (Interlocked.Exchange(ref _completed, 1) != 0)
        {
            return false;
        }

        SetExceptionCore(exception);
        return true;
    }

    /// <summary>True once the runtime failed the call for its response timeout: the grain may still be running it.</summary>
    internal bool TimedOut => Volatile.Read(ref _timedOut);

    /// <summary>
    /// Fails the caller for the response timeout, unless the call already completed. The turn's own outcome
    /// (<see cref="Fault"/>) is left alone: the turn may have just thrown, and an ETag conflict there must still
    /// deactivate the activation when its turn ends.
    /// </summary>
    internal bool TryTimeOut(TimeoutException exception)
    {
        // Marked first: the caller's continuation may run inside TryFailCaller and look.
        Volatile.Write(ref _timedOut, true);
        return TryFailCaller(exception);
    }

    private protected bool TryBeginCompletion() => Interlocked.Exchange(ref _completed, 1) == 0;

    private protected abstract void SetExceptionCore(Exception exception);
}

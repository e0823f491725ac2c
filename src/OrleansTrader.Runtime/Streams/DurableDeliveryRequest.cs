using System.Runtime.ExceptionServices;

namespace OrleansTrader.Runtime;

/// <summary>
/// A durable stream delivery to a grain turn. Its response timeout ends the cursor's wait for the response, not the turn:
/// after it the cursor asks <see cref="WhenTurnEndsAsync"/> for the turn's real outcome, so a turn that runs long counts
/// as no failed attempt and is not sent again behind itself. A delivery that timed out still queued is withdrawn there, so
/// it never runs after the cursor has moved on.
/// </summary>
internal abstract class DurableDeliveryRequest : GrainVoidRequest
{
    private const int Queued = 0;
    private const int Running = 1;
    private const int Withdrawn = 2;
    private static readonly TaskCompletionSource s_ended = CreateEnded();
    private int _turn;
    private TaskCompletionSource? _ended;
    private Exception? _turnFault;

    /// <summary>Delivers to the subscriptions of the activation whose turn this is.</summary>
    protected abstract ValueTask DeliverAsync(ActivationData activation);

    protected sealed override ValueTask InvokeCore(object grain)
    {
        var activation = CallContext.Current?.Activation
            ?? throw new InvalidOperationException("Stream events are delivered inside a grain turn.");
        if (Interlocked.CompareExchange(ref _turn, Running, Queued) != Queued)
        {
            // Withdrawn by the cursor after timing out in the queue: it has sent the events again or moved on.
            return default;
        }

        ValueTask delivery;
        try
        {
            delivery = DeliverAsync(activation);
        }
        catch (Exception ex)
        {
            EndTurn(ex);
            throw;
        }

        if (delivery.IsCompletedSuccessfully)
        {
            EndTurn(null);
            return default;
        }

        return AwaitDeliveryAsync(delivery);
    }

    /// <summary>
    /// After the response timed out: false when the delivery was still queued (withdrawn now, it will not run); otherwise
    /// waits for its turn to end and returns true, or throws what the turn threw.
    /// </summary>
    internal async ValueTask<bool> WhenTurnEndsAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _turn, Withdrawn, Queued) == Queued)
        {
            return false;
        }

        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var ended = Interlocked.CompareExchange(ref _ended, waiter, null) ?? waiter;
        await ended.Task.WaitAsync(cancellationToken);
        if (Volatile.Read(ref _turnFault) is { } fault)
        {
            ExceptionDispatchInfo.Throw(fault);
        }

        return true;
    }

    private static TaskCompletionSource CreateEnded()
    {
        var ended = new TaskCompletionSource();
        ended.SetResult();
        return ended;
    }

    private async ValueTask AwaitDeliveryAsync(ValueTask delivery)
    {
        try
        {
            await delivery;
        }
        catch (Exception ex)
        {
            EndTurn(ex);
            throw;
        }

        EndTurn(null);
    }

    private void EndTurn(Exception? fault)
    {
        Volatile.Write(ref _turnFault, fault);
        Interlocked.Exchange(ref _ended, s_ended)?.TrySetResult();
    }
}

namespace OrleansTrader.Runtime;

/// <summary>
/// Base class of grain implementations. The runtime creates grains (constructor parameters come from DI, plus
/// <see cref="IPersistentState{TState}"/> parameters marked with <see cref="PersistentStateAttribute"/>).
/// </summary>
public abstract class Grain : IAddressable
{
    private readonly ActivationData? _activation;

    protected Grain()
    {
        _activation = ActivationData.Constructing;
    }

    /// <summary>This activation's identity.</summary>
    public GrainId GrainId => Activation.GrainId;

    public IGrainFactory GrainFactory => Activation.Runtime.Client;

    public IServiceProvider ServiceProvider => Activation.Runtime.Services;

    internal ActivationData Activation =>
        _activation ?? throw new InvalidOperationException($"{GetType().Name} was not created by the runtime; get grains through IGrainFactory.");

    /// <summary>Runs after persistent state is read and before the first request.</summary>
    public virtual Task OnActivateAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Runs when the activation is collected, asked to deactivate, or the silo shuts down gracefully. Persist here.</summary>
    public virtual Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>Deactivates this activation once the current request completes.</summary>
    protected void DeactivateOnIdle() => Activation.RequestDeactivation(new DeactivationReason(DeactivationReasonCode.ApplicationRequested, "DeactivateOnIdle was called."));

    /// <summary>Keeps the activation from idle collection for at least <paramref name="timeSpan"/>.</summary>
    protected void DelayDeactivation(TimeSpan timeSpan) => Activation.DelayDeactivation(timeSpan);

    /// <summary>
    /// Starts a timer whose ticks run as turns of this activation. A tick never overlaps the previous one: the next due
    /// time is counted from the end of the previous callback. Disposed with the activation.
    /// </summary>
    protected IGrainTimer RegisterGrainTimer<TState>(Func<TState, CancellationToken, Task> callback, TState state, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return Activation.RegisterTimer(new GrainTimer<TState>(Activation, callback, state, options));
    }

    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, GrainTimerCreationOptions options)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return RegisterGrainTimer(static (cb, ct) => cb(ct), callback, options);
    }

    protected IGrainTimer RegisterGrainTimer(Func<CancellationToken, Task> callback, TimeSpan dueTime, TimeSpan period) =>
        RegisterGrainTimer(callback, new GrainTimerCreationOptions(dueTime, period));
}

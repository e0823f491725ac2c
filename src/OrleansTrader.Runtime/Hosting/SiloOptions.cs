namespace OrleansTrader.Runtime;

/// <summary>Silo settings: configure with silo.Configure&lt;SiloOptions&gt;(o => ...).</summary>
public sealed class SiloOptions
{
    /// <summary>How long a caller waits for a response before TimeoutException (never retried).</summary>
    public TimeSpan ResponseTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long an activation may be idle before it is collected; [CollectionAgeLimit] overrides per class.</summary>
    public TimeSpan CollectionAge { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>How often idle activations are looked for.</summary>
    public TimeSpan CollectionQuantum { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long OnActivateAsync (and state loading) may take before the runtime cancels the token it passed them; the
    /// token is also cancelled when the activation is asked to deactivate first (a silo shutting down).
    /// </summary>
    public TimeSpan ActivationTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How long one activation's OnDeactivateAsync may run before its token is cancelled and the activation goes away
    /// anyway (as in Orleans); also how long graceful shutdown waits for activations to deactivate.
    /// </summary>
    public TimeSpan DeactivationTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

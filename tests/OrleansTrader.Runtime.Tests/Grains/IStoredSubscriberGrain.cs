namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>
/// Subscribes explicitly to the durable stream "stored-events"/(its key up to a '~'), so grains "s~a" and "s~b" share a
/// stream. On activation it resumes every stored subscription it finds, unless the flag "{key}/no-resume" is set.
/// </summary>
public interface IStoredSubscriberGrain : IGrainWithStringKey
{
    Task Subscribe();

    Task UnsubscribeAll();

    Task<int> CountHandles();

    /// <summary>Resumes every handle with a replaying observer from <paramref name="sequence"/>.</summary>
    Task ResumeFrom(long sequence);

    Task Deactivate();
}

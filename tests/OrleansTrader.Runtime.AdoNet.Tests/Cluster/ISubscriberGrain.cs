namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// Subscribes explicitly to the durable stream "subscribed"/(its key up to a '~'), so "s~a" and "s~b" share a stream, and
/// resumes its stored subscriptions in OnActivateAsync.
/// </summary>
public interface ISubscriberGrain : IGrainWithStringKey
{
    Task Subscribe();

    Task UnsubscribeAll();

    Task<int> CountHandles();

    /// <summary>Publishes <paramref name="number"/> to the stream from OnDeactivateAsync.</summary>
    Task PublishWhenDeactivated(int number);

    /// <summary>Unsubscribes every handle from OnDeactivateAsync.</summary>
    Task UnsubscribeWhenDeactivated();

    /// <summary>Resumes every handle from OnDeactivateAsync with a token: a rewind to <paramref name="sequence"/>.</summary>
    Task RewindWhenDeactivated(long sequence);
}

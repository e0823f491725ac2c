namespace OrleansTrader.Brokers;

/// <summary>
/// Told when a broker client's circuit opens or closes and when its execution stream loses or regains health.
/// The grains layer implements it to move the account's breaker to REDUCING while the venue is unreachable.
/// Implementations must be fast and must not throw: they run on the calling request's path.
/// </summary>
public interface IBrokerHealthListener
{
    void OnCircuitOpened(string brokerName, TimeSpan breakDuration);

    void OnCircuitClosed(string brokerName);

    void OnStreamHealthChanged(string brokerName, bool healthy);
}

namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>Work logs how many calls of the grain id run at once, signals "entered", waits for its gate and returns its activation id.</summary>
public interface IWorkGrain : IGrainWithIntegerKey
{
    Task<Guid> Work(string callId);
}

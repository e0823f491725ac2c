namespace OrleansTrader.Runtime.Tests.Grains;

public interface IStuckDeactivationGrain : IGrainWithStringKey
{
    Task<Guid> GetActivationId();

    Task Deactivate();
}

namespace OrleansTrader.Runtime.Tests.Grains;

public interface ISubscribeOnDeactivateGrain : IGrainWithStringKey
{
    Task Deactivate();
}

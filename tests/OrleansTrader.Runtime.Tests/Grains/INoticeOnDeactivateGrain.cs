namespace OrleansTrader.Runtime.Tests.Grains;

public interface INoticeOnDeactivateGrain : IGrainWithStringKey
{
    /// <summary>Adds without writing; OnDeactivateAsync publishes a notice of the change, then writes.</summary>
    Task AddLater(int amount);
}

namespace OrleansTrader.Runtime.Tests.Grains;

public interface ICounterOperations : IGrainWithStringKey
{
    /// <summary>Adds and writes state.</summary>
    Task<int> Add(int amount);

    /// <summary>Adds without writing; OnDeactivateAsync writes.</summary>
    Task<int> AddLater(int amount);

    [ReadOnly]
    Task<int> Get();

    [ReadOnly]
    Task<int> SeenInActivate();

    Task<Guid> GetActivationId();
}

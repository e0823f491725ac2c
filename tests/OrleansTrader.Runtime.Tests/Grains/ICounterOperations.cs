namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>The counter calls, for grains of every key kind.</summary>
public interface ICounterOperations : IGrain
{
    /// <summary>Adds and writes state.</summary>
    Task<int> Add(int amount);

    /// <summary>Adds without writing; OnDeactivateAsync writes.</summary>
    Task<int> AddLater(int amount);

    [ReadOnly]
    Task<int> Get();

    /// <summary>Clears state and returns the value the state holds afterwards.</summary>
    Task<int> ClearAndGet();

    [ReadOnly]
    Task<int> SeenInActivate();

    Task<Guid> GetActivationId();
}

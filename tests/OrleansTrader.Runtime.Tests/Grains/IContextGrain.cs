namespace OrleansTrader.Runtime.Tests.Grains;

public interface IContextGrain : IGrainWithStringKey
{
    /// <summary>Returns [user seen, user seen by next, fromA seen by next, fromB seen after the call].</summary>
    Task<IReadOnlyList<string?>> Flow(string nextKey);

    Task<IReadOnlyList<string?>> Inner();
}

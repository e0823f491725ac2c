namespace OrleansTrader.Runtime.Tests.Grains;

public interface IFilterGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);

    /// <summary>Parameters named like the generated proxy's own local ("request", and the name it falls back to).</summary>
    Task<string> Join(string request, string _request);
}

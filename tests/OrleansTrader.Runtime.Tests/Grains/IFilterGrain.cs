namespace OrleansTrader.Runtime.Tests.Grains;

public interface IFilterGrain : IGrainWithStringKey
{
    Task<string> Echo(string text);
}

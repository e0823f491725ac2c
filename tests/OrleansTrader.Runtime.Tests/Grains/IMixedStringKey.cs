namespace OrleansTrader.Runtime.Tests.Grains;

public interface IMixedStringKey : IGrainWithStringKey
{
}

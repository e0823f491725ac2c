namespace OrleansTrader.Runtime;

/// <summary>A grain addressed by a string key. Keys are used exactly as given (never parsed).</summary>
public interface IGrainWithStringKey : IGrain
{
}

namespace OrleansTrader.Runtime.Tests.Grains;

/// <summary>With <see cref="IMixedStringKey"/>: two key kinds on one class, which the runtime rejects.</summary>
public interface IMixedGuidKey : IGrainWithGuidKey
{
}

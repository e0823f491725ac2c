namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>A record as a bulk read needs one (<see cref="IGrainStorage.ReadRecordsAsync{T}"/>): a new one stands for a record that is not there.</summary>
public sealed class PageState
{
    public int Number { get; set; }
}

namespace OrleansTrader.Runtime;

/// <summary>A named stream provider ("memory", "durable"); get it with this.GetStreamProvider(name) or client.GetStreamProvider(name).</summary>
public interface IStreamProvider
{
    string Name { get; }

    /// <summary>True when subscribers can rewind with a <see cref="StreamSequenceToken"/>.</summary>
    bool IsRewindable { get; }

    IAsyncStream<T> GetStream<T>(StreamId streamId);
}

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>The most recent execution ids, bounded: the oldest is forgotten when the window is full.</summary>
internal sealed class ExecutionIdWindow(int capacity)
{
    private readonly HashSet<string> _ids = new(StringComparer.Ordinal);
    private readonly Queue<string> _order = new();

    public int Count => _ids.Count;

    public bool Contains(string executionId) => _ids.Contains(executionId);

    /// <summary>False when the id was already seen within the window.</summary>
    public bool TryAdd(string executionId)
    {
        if (!_ids.Add(executionId))
        {
            return false;
        }

        _order.Enqueue(executionId);
        while (_order.Count > capacity)
        {
            _ids.Remove(_order.Dequeue());
        }

        return true;
    }
}

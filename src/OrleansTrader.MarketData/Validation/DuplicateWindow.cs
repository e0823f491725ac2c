namespace OrleansTrader.MarketData.Validation;

/// <summary>
/// The most recent keys, oldest evicted first: memory stays at <c>capacity</c> entries. Every tick's key is added, also
/// one a later check rejects, so a copy of a rejected tick is still recognised as a duplicate.
/// </summary>
internal sealed class DuplicateWindow
{
    private readonly int _capacity;
    private readonly HashSet<DuplicateKey> _set;
    private readonly Queue<DuplicateKey> _order;

    public DuplicateWindow(int capacity)
    {
        _capacity = capacity;
        _set = new HashSet<DuplicateKey>(capacity + 1);
        _order = new Queue<DuplicateKey>(capacity + 1);
    }

    public int Count => _order.Count;

    /// <summary>
    /// Adds the key as the newest entry, evicting the oldest beyond the capacity; false when it is already in the window
    /// (a duplicate).
    /// </summary>
    public bool TryAdd(in DuplicateKey key)
    {
        if (!_set.Add(key))
        {
            return false;
        }

        _order.Enqueue(key);
        if (_order.Count > _capacity)
        {
            _set.Remove(_order.Dequeue());
        }

        return true;
    }
}

namespace OrleansTrader.MarketData.Validation;

/// <summary>
/// The most recent keys, oldest evicted first: memory stays at <c>capacity</c> entries. A key is claimed (a duplicate
/// when that fails), then committed once the tick is accepted or released when a later check rejects it.
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

    /// <summary>False when the key is already in the window (a duplicate).</summary>
    public bool TryClaim(in DuplicateKey key) => _set.Add(key);

    /// <summary>Undoes a claim whose tick was rejected after all.</summary>
    public void Release(in DuplicateKey key) => _set.Remove(key);

    /// <summary>Keeps a claimed key as the newest entry, evicting the oldest beyond the capacity.</summary>
    public void Commit(in DuplicateKey key)
    {
        _order.Enqueue(key);
        if (_order.Count > _capacity)
        {
            _set.Remove(_order.Dequeue());
        }
    }
}

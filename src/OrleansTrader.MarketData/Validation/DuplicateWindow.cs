namespace OrleansTrader.MarketData.Validation;

/// <summary>The most recent keys, oldest evicted first: memory stays at <c>capacity</c> entries.</summary>
internal sealed class DuplicateWindow
{
    private readonly int _capacity;
    private readonly HashSet<DuplicateKey> _set;
    private readonly Queue<DuplicateKey> _order;

    public DuplicateWindow(int capacity)
    {
        _capacity = capacity;
        _set = new HashSet<DuplicateKey>(capacity);
        _order = new Queue<DuplicateKey>(capacity);
    }

    public int Count => _set.Count;

    public bool Contains(DuplicateKey key) => _set.Contains(key);

    public void Add(DuplicateKey key)
    {
        if (!_set.Add(key))
        {
            return;
        }

        _order.Enqueue(key);
        if (_order.Count > _capacity)
        {
            _set.Remove(_order.Dequeue());
        }
    }
}

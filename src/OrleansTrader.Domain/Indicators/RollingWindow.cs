namespace OrleansTrader.Domain.Indicators;

/// <summary>Fixed-capacity ring buffer of decimals; the oldest value is overwritten once full.</summary>
internal sealed class RollingWindow
{
    private readonly decimal[] _items;
    private int _next;

    public RollingWindow(int capacity)
    {
        _items = new decimal[capacity];
    }

    public int Capacity => _items.Length;

    public int Count { get; private set; }

    public bool IsFull => Count == _items.Length;

    /// <summary>The value the next push evicts, if the window is full.</summary>
    public decimal? Oldest => IsFull ? _items[_next] : null;

    /// <summary>Adds a value and returns the one it evicted, if the window was full.</summary>
    public decimal? Push(decimal value)
    {
        decimal? evicted = IsFull ? _items[_next] : null;
        _items[_next] = value;
        _next = (_next + 1) % _items.Length;
        if (!IsFull)
        {
            Count++;
        }

        return evicted;
    }

    /// <summary>Values oldest first.</summary>
    public decimal[] ToArray()
    {
        var result = new decimal[Count];
        var start = IsFull ? _next : 0;
        for (var i = 0; i < Count; i++)
        {
            result[i] = _items[(start + i) % _items.Length];
        }

        return result;
    }

    public void Clear()
    {
        Array.Clear(_items);
        _next = 0;
        Count = 0;
    }
}

using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Orders;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// One account's archive as the grain store queries it: which chunk holds each order (by order id and by client order
/// id) and the newest execution of each chunk, with the chunks themselves read from storage on demand and only the last
/// <see cref="CachedChunks"/> read kept. Ids are kept as 64-bit hashes (two hash-table entries per archived order,
/// against about 1.5 KB for the order and its executions as objects); a lookup reads the chunks a hash names and checks
/// the real id, so a collision costs a read, never a wrong answer. The index is built from each chunk's key record
/// (<see cref="PaperArchiveChunkKeys"/>), or from the chunk where it has none. The legacy one-record archive is chunk -1, older
/// than every chunk. A chunk deleted for the archive's retention is forgotten (<see cref="ForgetAsync"/>), so the index
/// holds the retention's orders, not every order since the silo started.
/// Calls are serialized by the archive's own gate, so one account's queries do not wait on another's reads.
/// </summary>
internal sealed class PaperChunkedArchive(Func<int, CancellationToken, Task<PaperArchiveChunk?>> readChunk)
{
    /// <summary>Chunks kept decoded: an archive query usually asks about recent orders, which sit in the last chunks.</summary>
    public const int CachedChunks = 4;

    private readonly Dictionary<long, int> _orderChunks = [];
    private readonly Dictionary<long, int> _clientOrderChunks = [];

    // Hashes found in more than one chunk (an order written again, or a collision): every chunk, newest last.
    private readonly Dictionary<long, List<int>> _orderChunksMore = [];
    private readonly Dictionary<long, List<int>> _clientOrderChunksMore = [];
    private readonly SortedDictionary<int, DateTimeOffset> _newestExecution = [];
    private readonly LinkedList<(int Number, PaperArchiveChunk Chunk)> _cache = new();
    private readonly SemaphoreSlim _gate = new(1, 1);

    /// <summary>Decoded chunks held now (at most <see cref="CachedChunks"/>).</summary>
    public int CachedChunkCount => _cache.Count;

    /// <summary>Archived orders indexed (each write of an order counts once).</summary>
    public int IndexedOrders { get; private set; }

    /// <summary>Adds a chunk to the index (a chunk written again replaces its cached copy; its older ids stay, harmlessly).</summary>
    public Task AddAsync(int number, PaperArchiveChunk chunk, CancellationToken cancellationToken) =>
        AddAsync(number, PaperArchiveChunkKeys.Of(chunk), cancellationToken);

    /// <summary>Adds a chunk to the index by its key record, without reading the chunk.</summary>
    public Task AddAsync(int number, PaperArchiveChunkKeys keys, CancellationToken cancellationToken) =>
        GatedAsync(() =>
        {
            Add(number, keys);
            return Task.FromResult(true);
        }, cancellationToken);

    /// <summary>
    /// Drops chunk <paramref name="number"/> (<paramref name="chunk"/>, deleted for its age) from the index: its ids, its
    /// newest execution and its cached copy, so the index follows the archive's retention instead of the silo's life.
    /// </summary>
    public Task ForgetAsync(int number, PaperArchiveChunk chunk, CancellationToken cancellationToken) =>
        ForgetAsync(number, PaperArchiveChunkKeys.Of(chunk), cancellationToken);

    /// <summary>Drops chunk <paramref name="number"/> from the index by its key record, without reading the chunk.</summary>
    public Task ForgetAsync(int number, PaperArchiveChunkKeys keys, CancellationToken cancellationToken) =>
        GatedAsync(() =>
        {
            Forget(number, keys);
            return Task.FromResult(true);
        }, cancellationToken);

    public Task<PaperOrderRecord?> FindOrderAsync(string orderId, CancellationToken cancellationToken) =>
        GatedAsync(() => FindAsync(_orderChunks, _orderChunksMore, orderId, o => o.OrderId == orderId, cancellationToken), cancellationToken);

    public Task<PaperOrderRecord?> FindByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
        GatedAsync(
            () => FindAsync(_clientOrderChunks, _clientOrderChunksMore, clientOrderId, o => o.ClientOrderId == clientOrderId, cancellationToken),
            cancellationToken);

    /// <summary>Executions at or after <paramref name="since"/>, oldest first, each once; reads only chunks with one that recent.</summary>
    public Task<IReadOnlyList<Execution>> ExecutionsSinceAsync(DateTimeOffset since, CancellationToken cancellationToken) =>
        GatedAsync(() => CollectExecutionsAsync(since, cancellationToken), cancellationToken);

    /// <summary>Runs <paramref name="work"/> alone: the index and the chunk cache are not thread-safe.</summary>
    private async Task<T> GatedAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    private void Add(int number, PaperArchiveChunkKeys keys)
    {
        for (var i = 0; i < keys.Count(); i++)
        {
            Note(_orderChunks, _orderChunksMore, keys.OrderIdAt(i), number);
            Note(_clientOrderChunks, _clientOrderChunksMore, keys.ClientOrderIdAt(i), number);
            IndexedOrders++;
        }

        if (keys.NewestExecution is { } newest)
        {
            _newestExecution[number] = _newestExecution.TryGetValue(number, out var known) && known > newest ? known : newest;
        }

        for (var node = _cache.First; node is not null; node = node.Next)
        {
            if (node.Value.Number == number)
            {
                _cache.Remove(node);
                break;
            }
        }
    }

    private void Forget(int number, PaperArchiveChunkKeys keys)
    {
        for (var i = 0; i < keys.Count(); i++)
        {
            Unnote(_orderChunks, _orderChunksMore, keys.OrderIdAt(i), number);
            Unnote(_clientOrderChunks, _clientOrderChunksMore, keys.ClientOrderIdAt(i), number);
            IndexedOrders = Math.Max(0, IndexedOrders - 1);
        }

        _newestExecution.Remove(number);
        for (var node = _cache.First; node is not null; node = node.Next)
        {
            if (node.Value.Number == number)
            {
                _cache.Remove(node);
                break;
            }
        }
    }

    private async Task<PaperOrderRecord?> FindAsync(
        Dictionary<long, int> first, Dictionary<long, List<int>> more, string id, Func<PaperStoredOrder, bool> matches, CancellationToken cancellationToken)
    {
        foreach (var number in Candidates(first, more, PaperArchiveChunkKeys.Hash(id)))
        {
            var chunk = await ChunkAsync(number, cancellationToken);
            if (chunk?.Orders.LastOrDefault(matches) is { } found)
            {
                return found.ToRecord();
            }
        }

        return null;
    }

    private async Task<IReadOnlyList<Execution>> CollectExecutionsAsync(DateTimeOffset since, CancellationToken cancellationToken)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var found = new List<Execution>();
        foreach (var (number, newest) in _newestExecution.ToList())
        {
            if (newest < since || await ChunkAsync(number, cancellationToken) is not { } chunk)
            {
                continue;
            }

            // The legacy record may hold an order twice; any of its copies names the execution's client order id, symbol and side.
            var orders = new Dictionary<string, PaperStoredOrder>(StringComparer.Ordinal);
            foreach (var order in chunk.Orders)
            {
                orders[order.OrderId] = order;
            }

            foreach (var stored in chunk.Executions)
            {
                if (stored.Timestamp >= since && seen.Add(stored.ExecutionId))
                {
                    found.Add(stored.ToExecution(orders.GetValueOrDefault(stored.OrderId)));
                }
            }
        }

        return [.. found.OrderBy(e => e.Timestamp)];
    }

    private static void Note(Dictionary<long, int> first, Dictionary<long, List<int>> more, long hash, int number)
    {
        if (!first.TryGetValue(hash, out var known))
        {
            first[hash] = number;
        }
        else if (known != number)
        {
            if (!more.TryGetValue(hash, out var chunks))
            {
                more[hash] = chunks = [known];
            }

            if (!chunks.Contains(number))
            {
                chunks.Add(number);
            }
        }
    }

    /// <summary>Takes <paramref name="number"/> off what the hash names; other chunks with the hash stay named.</summary>
    private static void Unnote(Dictionary<long, int> first, Dictionary<long, List<int>> more, long hash, int number)
    {
        if (more.TryGetValue(hash, out var chunks))
        {
            chunks.Remove(number);
            first[hash] = chunks[0];
            if (chunks.Count == 1)
            {
                more.Remove(hash);
            }
        }
        else if (first.TryGetValue(hash, out var known) && known == number)
        {
            first.Remove(hash);
        }
    }

    /// <summary>The chunks that may hold the id, newest first: a later write of an order wins.</summary>
    private static IEnumerable<int> Candidates(Dictionary<long, int> first, Dictionary<long, List<int>> more, long hash)
    {
        if (more.TryGetValue(hash, out var chunks))
        {
            return chunks.OrderDescending();
        }

        return first.TryGetValue(hash, out var number) ? [number] : [];
    }

    private async Task<PaperArchiveChunk?> ChunkAsync(int number, CancellationToken cancellationToken)
    {
        for (var node = _cache.First; node is not null; node = node.Next)
        {
            if (node.Value.Number == number)
            {
                _cache.Remove(node);
                _cache.AddFirst(node);
                return node.Value.Chunk;
            }
        }

        if (await readChunk(number, cancellationToken) is not { } chunk)
        {
            return null;
        }

        _cache.AddFirst((number, chunk));
        if (_cache.Count > CachedChunks)
        {
            _cache.RemoveLast();
        }

        return chunk;
    }
}

using System.Buffers.Binary;

namespace OrleansTrader.Grains.Paper;

/// <summary>
/// What the archive index and the retention need of one chunk, stored beside it (<c>keys-N</c> next to <c>chunk-N</c>; the
/// one-record archive of a build before chunks has <c>venue-keys</c>): the 64-bit hashes of its orders' ids and client
/// order ids, its newest execution's time, its newest instant and the ETag its write left. About 16 bytes an order against
/// the chunk's 0.5 KB, so building an account's index after a restart, and pruning, read these and not the chunks. A chunk
/// without one (written before key records existed, or one that cannot be read as one) is indexed from the chunk itself.
/// </summary>
internal sealed record PaperArchiveChunkKeys
{
    private const int HashSize = sizeof(long);

    // "?? ...": stored JSON may lack them, and the generated reader passes null (StoredJsonMissingMemberTests).
    /// <summary>The <see cref="Hash"/> of each order id, 8 bytes little-endian each, in the chunk's order.</summary>
    public byte[] OrderIds { get; init => field = value ?? []; } = [];

    /// <summary>The <see cref="Hash"/> of each order's client order id, in the same order as <see cref="OrderIds"/>.</summary>
    public byte[] ClientOrderIds { get; init => field = value ?? []; } = [];

    /// <summary>The newest execution the chunk holds; null when it holds none.</summary>
    public DateTimeOffset? NewestExecution { get; init; }

    /// <summary>
    /// The chunk's newest order change or execution (<see cref="PaperArchiveChunk.Newest"/>), which its retention counts
    /// from; null when it holds neither, and in a record of a build before it.
    /// </summary>
    public DateTimeOffset? Newest { get; init; }

    /// <summary>
    /// The ETag the chunk's write left, which its delete for its age is conditional on; null in a record of a build before it.
    /// The record is written after its chunk, so a counted chunk's record names the version the chunk has.
    /// </summary>
    public string? ChunkETag { get; init; }

    /// <summary>Orders the chunk holds (each write of an order counts once).</summary>
    public int Count() => OrderIds.Length / HashSize;

    /// <summary>
    /// Whether the record can describe a chunk: one hash of each kind per order. A record that cannot is treated as
    /// missing, and its chunk is read instead.
    /// </summary>
    public bool IsWellFormed() => OrderIds.Length % HashSize == 0 && OrderIds.Length == ClientOrderIds.Length;

    /// <summary>Whether the record tells the retention all it needs of its chunk (when it expires, and its ETag), so the chunk is not read.</summary>
    public bool KnowsChunk() => IsWellFormed() && Newest is not null && ChunkETag is not null;

    public long OrderIdAt(int i) => BinaryPrimitives.ReadInt64LittleEndian(OrderIds.AsSpan(i * HashSize));

    public long ClientOrderIdAt(int i) => BinaryPrimitives.ReadInt64LittleEndian(ClientOrderIds.AsSpan(i * HashSize));

    /// <summary>The key record of <paramref name="chunk"/>, stored at <paramref name="chunkETag"/> (null when not known).</summary>
    public static PaperArchiveChunkKeys Of(PaperArchiveChunk chunk, string? chunkETag = null)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        var orderIds = new byte[chunk.Orders.Count * HashSize];
        var clientOrderIds = new byte[chunk.Orders.Count * HashSize];
        for (var i = 0; i < chunk.Orders.Count; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(orderIds.AsSpan(i * HashSize), Hash(chunk.Orders[i].OrderId));
            BinaryPrimitives.WriteInt64LittleEndian(clientOrderIds.AsSpan(i * HashSize), Hash(chunk.Orders[i].ClientOrderId));
        }

        return new PaperArchiveChunkKeys
        {
            OrderIds = orderIds,
            ClientOrderIds = clientOrderIds,
            NewestExecution = chunk.Executions.Count > 0 ? chunk.Executions.Max(e => e.Timestamp) : null,
            Newest = chunk.Newest(),
            ChunkETag = chunkETag,
        };
    }

    /// <summary>
    /// FNV-1a over the id's UTF-16 code units: 64 bits wide, so collisions are rare, and the same in every process. Key
    /// records store it, so it must not change: a record of another hash would name the wrong chunks.
    /// </summary>
    public static long Hash(string id)
    {
        ArgumentNullException.ThrowIfNull(id);
        const ulong offsetBasis = 14695981039346656037;
        const ulong prime = 1099511628211;
        var hash = offsetBasis;
        foreach (var c in id)
        {
            hash = unchecked((hash ^ c) * prime);
        }

        return unchecked((long)hash);
    }
}

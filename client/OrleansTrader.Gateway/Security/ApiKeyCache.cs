using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// Key records by id, in front of the registry grain. Entries (also "no such key", so junk keys cannot hammer the grain)
/// live for <see cref="GatewayOptions.KeyCacheDuration"/>; a revoke through this gateway evicts at once. Bounded: when full,
/// the cache starts over (LESSONS 8).
/// </summary>
internal sealed class ApiKeyCache(IGrainFactory grains, TimeProvider time, IOptions<GatewayOptions> options)
{
    internal const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration = options.Value.KeyCacheDuration;

    // Bumped by every eviction: a lookup that was in flight across one must not cache what it read before it (a revoke).
    private long _evictions;

    private IApiKeyRegistryGrain Registry => grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);

    public async Task<ApiKeyRecord?> GetAsync(string keyId)
    {
        var now = time.GetUtcNow();
        if (_entries.TryGetValue(keyId, out var entry) && now - entry.FetchedAt < _duration)
        {
            return entry.Record;
        }

        var evictions = Interlocked.Read(ref _evictions);
        var record = await Registry.GetAsync(keyId);
        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }

        var fetched = new Entry(record, now);
        _entries[keyId] = fetched;
        if (Interlocked.Read(ref _evictions) != evictions)
        {
            // Evicted while this lookup was in flight: the answer may predate a revoke, so it serves this request only.
            // (Checked after storing: an eviction after this check removes the entry itself.)
            _entries.TryRemove(new KeyValuePair<string, Entry>(keyId, fetched));
        }

        return record;
    }

    public void Invalidate(string keyId)
    {
        Interlocked.Increment(ref _evictions);
        _entries.TryRemove(keyId, out _);
    }

    private sealed record Entry(ApiKeyRecord? Record, DateTimeOffset FetchedAt);
}

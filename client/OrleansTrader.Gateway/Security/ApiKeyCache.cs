using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// Key records by id, in front of the registry grain. Entries (also "no such key", so junk keys cannot hammer the grain)
/// live for <see cref="GatewayOptions.KeyCacheDuration"/>; a revoke through this gateway evicts at once. Bounded: when full,
/// the cache starts over (LESSONS 8). Found keys and "no such key" answers are bounded apart, so a flood of junk keys
/// starts over only the misses and never sends the real keys back to the registry. An entry's age is elapsed time: on the
/// wall clock, a clock set back an hour kept a key revoked through another gateway (or the registry) valid for that hour.
/// </summary>
internal sealed class ApiKeyCache(IGrainFactory grains, TimeProvider time, IOptions<GatewayOptions> options)
{
    internal const int MaxEntries = 10_000;
    internal const int MaxMissEntries = 10_000;
    private readonly ConcurrentDictionary<string, Entry> _found = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, Entry> _missing = new(StringComparer.Ordinal);
    private readonly TimeSpan _duration = options.Value.KeyCacheDuration;

    // Lookups running, by key id (see BeginLookup).
    private readonly ConcurrentDictionary<string, Task<ApiKeyRecord?>> _running = new(StringComparer.Ordinal);

    // Bumped by every eviction: a lookup that was in flight across one must not cache what it read before it (a revoke).
    private long _evictions;

    private IApiKeyRegistryGrain Registry => grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);

    /// <summary>The cached answer for <paramref name="keyId"/> (a record, or null for "no such key"), when one is fresh.</summary>
    public bool TryGetCached(string keyId, out ApiKeyRecord? record)
    {
        foreach (var entries in (ReadOnlySpan<ConcurrentDictionary<string, Entry>>)[_found, _missing])
        {
            if (entries.TryGetValue(keyId, out var entry) && time.GetElapsedTime(entry.FetchedAt) < _duration)
            {
                record = entry.Record;
                return true;
            }
        }

        record = null;
        return false;
    }

    public async Task<ApiKeyRecord?> GetAsync(string keyId)
    {
        if (TryGetCached(keyId, out var cached))
        {
            return cached;
        }

        var fetchedAt = time.GetTimestamp();
        var evictions = Interlocked.Read(ref _evictions);
        var record = await Registry.GetAsync(keyId);
        var (entries, other, max) = record is null ? (_missing, _found, MaxMissEntries) : (_found, _missing, MaxEntries);
        if (entries.Count >= max)
        {
            entries.Clear();
        }

        var fetched = new Entry(record, fetchedAt);
        other.TryRemove(keyId, out _);
        entries[keyId] = fetched;
        if (Interlocked.Read(ref _evictions) != evictions)
        {
            // Evicted while this lookup was in flight: the answer may predate a revoke, so it serves this request only.
            // (Checked after storing: an eviction after this check removes the entry itself.)
            entries.TryRemove(new KeyValuePair<string, Entry>(keyId, fetched));
        }

        return record;
    }

    /// <summary>
    /// Marks a lookup of <paramref name="keyId"/> as running until the returned lookup is disposed; or, when another request
    /// runs one already, returns null and that lookup's <paramref name="running"/> answer (canceled if it got none: no
    /// place came free, it was aborted, the registry failed). So a burst of requests with one key not cached yet (a
    /// client's pool after a gateway restart) waits for one lookup instead of each taking a lookup place and a share of its
    /// address's lookup budget. One step, so that two requests cannot both find none running and both look the key up.
    /// </summary>
    public RunningKeyLookup? BeginLookup(string keyId, out Task<ApiKeyRecord?>? running)
    {
        var lookup = new RunningKeyLookup(this, keyId);
        while (true)
        {
            if (_running.TryAdd(keyId, lookup.Answer))
            {
                running = null;
                return lookup;
            }

            if (_running.TryGetValue(keyId, out running))
            {
                return null;
            }
        }
    }

    public void Invalidate(string keyId)
    {
        Interlocked.Increment(ref _evictions);
        _found.TryRemove(keyId, out _);
        _missing.TryRemove(keyId, out _);

        // A lookup running now may have read the key before the revoke: requests from here on look it up afresh rather
        // than wait for that answer (its own request and those already waiting were sent before the revoke answered).
        _running.TryRemove(keyId, out _);
    }

    internal sealed class RunningKeyLookup(ApiKeyCache cache, string keyId) : IDisposable
    {
        private readonly TaskCompletionSource<ApiKeyRecord?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ApiKeyRecord?> Answer => _answer.Task;

        public void Answered(ApiKeyRecord? record) => _answer.TrySetResult(record);

        public void Dispose()
        {
            cache._running.TryRemove(new KeyValuePair<string, Task<ApiKeyRecord?>>(keyId, _answer.Task));
            _answer.TrySetCanceled();
        }
    }

    /// <summary>An answer and when it was asked for (a <see cref="TimeProvider.GetTimestamp"/>).</summary>
    private sealed record Entry(ApiKeyRecord? Record, long FetchedAt);
}

using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// The event streams open per key. Each one holds a connection, a stream subscription and a poll of its account for as long
/// as the client likes, so one key must not be able to open them without bound (LESSONS 8, 11). Only keys with an open
/// stream have an entry.
/// </summary>
internal sealed class EventStreamSlots(IOptions<GatewayOptions> options)
{
    private readonly Dictionary<string, int> _open = new(StringComparer.Ordinal);
    private readonly int _max = options.Value.Events.MaxStreamsPerKey;

    /// <summary>A slot for one more stream of the key, released when disposed; null when the key holds all it may.</summary>
    public IDisposable? TryAcquire(string keyId)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(keyId);
            if (open >= _max)
            {
                return null;
            }

            _open[keyId] = open + 1;
        }

        return new Slot(this, keyId);
    }

    private void Release(string keyId)
    {
        lock (_open)
        {
            var open = _open.GetValueOrDefault(keyId);
            if (open <= 1)
            {
                _open.Remove(keyId);
            }
            else
            {
                _open[keyId] = open - 1;
            }
        }
    }

    private sealed class Slot(EventStreamSlots slots, string keyId) : IDisposable
    {
        private int _released;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _released, 1) == 0)
            {
                slots.Release(keyId);
            }
        }
    }
}

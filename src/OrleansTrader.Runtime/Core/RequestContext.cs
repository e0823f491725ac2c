using System.Collections.Frozen;

namespace OrleansTrader.Runtime;

/// <summary>
/// Ambient key/value pairs that travel with calls: values set before a call are visible to the callee and to the calls it
/// makes, but values the callee sets never flow back to the caller.
/// </summary>
public static class RequestContext
{
    public static object? Get(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var values = CallContext.Current?.Values;
        return values is not null && values.TryGetValue(key, out var value) ? value : null;
    }

    public static void Set(string key, object value)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(value);
        var current = CallContext.Current;
        var copy = current?.Values is { } values ? new Dictionary<string, object>(values, StringComparer.Ordinal) : new Dictionary<string, object>(StringComparer.Ordinal);
        copy[key] = value;
        CallContext.Current = new DetachedCallContext(current?.Activation, current?.Chain, copy.ToFrozenDictionary(StringComparer.Ordinal));
    }

    public static bool Remove(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var current = CallContext.Current;
        if (current?.Values is not { } values || !values.ContainsKey(key))
        {
            return false;
        }

        var copy = new Dictionary<string, object>(values, StringComparer.Ordinal);
        copy.Remove(key);
        CallContext.Current = new DetachedCallContext(current.Activation, current.Chain, copy.Count == 0 ? null : copy.ToFrozenDictionary(StringComparer.Ordinal));
        return true;
    }

    public static void Clear()
    {
        var current = CallContext.Current;
        if (current?.Values is not null)
        {
            CallContext.Current = new DetachedCallContext(current.Activation, current.Chain, null);
        }
    }

    /// <summary>The keys currently set.</summary>
    public static IReadOnlyCollection<string> Keys => CallContext.Current?.Values?.Keys.ToArray() ?? [];
}

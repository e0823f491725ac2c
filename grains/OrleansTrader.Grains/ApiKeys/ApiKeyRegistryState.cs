using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Grains.ApiKeys;

internal sealed class ApiKeyRegistryState
{
    public Dictionary<string, ApiKeyRecord> Keys { get; set; } = new(StringComparer.Ordinal);
}

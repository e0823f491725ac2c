using System.Text.Json.Serialization;

namespace OrleansTrader.Grains.ApiKeys;

/// <summary>Source-generated JSON of the API key registry's persisted state.</summary>
[JsonSerializable(typeof(ApiKeyRegistryState))]
internal sealed partial class ApiKeysStateJsonContext : JsonSerializerContext;

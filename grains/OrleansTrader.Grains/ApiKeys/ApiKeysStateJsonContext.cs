using System.Text.Json.Serialization;
using OrleansTrader.Grains.Strategies;

namespace OrleansTrader.Grains.ApiKeys;

/// <summary>Source-generated JSON of the API key registry's and the strategy directory's persisted states.</summary>
[JsonSerializable(typeof(ApiKeyRegistryState))]
[JsonSerializable(typeof(StrategyDirectoryState))]
internal sealed partial class ApiKeysStateJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.Strategies;

namespace OrleansTrader.Grains.ApiKeys;

/// <summary>Source-generated JSON of the API key registry's and the strategy and account directories' persisted states.</summary>
[JsonSerializable(typeof(ApiKeyRegistryState))]
[JsonSerializable(typeof(StrategyDirectoryState))]
[JsonSerializable(typeof(AccountDirectoryState))]
internal sealed partial class ApiKeysStateJsonContext : JsonSerializerContext;

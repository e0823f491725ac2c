using System.Text.Json.Serialization;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Breakers;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Webhooks;

namespace OrleansTrader.Grains;

/// <summary>Source-generated JSON of the grains' persisted states and of the execution reports on the durable "fills" stream.</summary>
/// <remarks>
/// Null properties are left out (an execution report carries many). That reads back the same only because no type
/// here gives a nullable property a non-null initializer or constructor default, nor makes one required: a new
/// type or property must keep it so. Records written with explicit nulls before read as they did.
/// </remarks>
[JsonSourceGenerationOptions(UseStringEnumConverter = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(BreakerState))]
[JsonSerializable(typeof(StrategyGrainState))]

// Read and written through StoredSnapshotJsonConverter, which asks the options for it.
[JsonSerializable(typeof(StrategyState))]
[JsonSerializable(typeof(StrategyDays))]
[JsonSerializable(typeof(ExecutionReport))]
[JsonSerializable(typeof(PaperVenueCheckpoint))]
[JsonSerializable(typeof(PaperVenueDelta))]
[JsonSerializable(typeof(PaperArchiveRecord))]
[JsonSerializable(typeof(PaperArchiveChunk))]
[JsonSerializable(typeof(PaperArchiveChunkKeys))]
[JsonSerializable(typeof(PaperVenueIndex))]
[JsonSerializable(typeof(SymbolGrainState))]
[JsonSerializable(typeof(WebhookGrainState))]
[JsonSerializable(typeof(WebhookDirectoryState))]
[JsonSerializable(typeof(StoreFormatRecord))]
internal sealed partial class GrainsStateJsonContext : JsonSerializerContext;

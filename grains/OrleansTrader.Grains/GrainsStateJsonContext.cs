using System.Text.Json.Serialization;
using OrleansTrader.Brokers;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Grains.Breakers;
using OrleansTrader.Grains.Paper;
using OrleansTrader.Grains.Strategies;

namespace OrleansTrader.Grains;

/// <summary>Source-generated JSON of the grains' persisted states and of the execution reports on the durable "fills" stream.</summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(BreakerState))]
[JsonSerializable(typeof(StrategyGrainState))]
[JsonSerializable(typeof(ExecutionReport))]
[JsonSerializable(typeof(PaperVenueCheckpoint))]
[JsonSerializable(typeof(PaperVenueDelta))]
[JsonSerializable(typeof(PaperArchiveRecord))]
[JsonSerializable(typeof(PaperArchiveChunk))]
[JsonSerializable(typeof(PaperVenueIndex))]
internal sealed partial class GrainsStateJsonContext : JsonSerializerContext;

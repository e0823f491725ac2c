using System.Text.Json.Serialization;

namespace OrleansTrader.Grains.Tests.Samples;

// Every type the sample stores: grain state (and durable stream events, had it any) is JSON of registered contexts only.
[JsonSerializable(typeof(PriceAlertState))]
[JsonSerializable(typeof(AlertBookState))]
internal sealed partial class SampleJsonContext : JsonSerializerContext;

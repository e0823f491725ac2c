using System.Text.Json.Serialization;

namespace OrleansTrader.Runtime.AdoNet.Tests;

[JsonSerializable(typeof(TestState))]
[JsonSerializable(typeof(PageState))]
[JsonSerializable(typeof(SubscriptionEvent))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

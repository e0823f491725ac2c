using System.Text.Json.Serialization;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

[JsonSerializable(typeof(CounterState))]
[JsonSerializable(typeof(TestEvent))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(int))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

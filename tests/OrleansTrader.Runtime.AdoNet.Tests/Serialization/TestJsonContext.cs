using System.Text.Json.Serialization;

namespace OrleansTrader.Runtime.AdoNet.Tests;

[JsonSerializable(typeof(TestState))]
internal sealed partial class TestJsonContext : JsonSerializerContext;

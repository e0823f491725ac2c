using System.Text.Json.Serialization;

namespace OrleansTrader.Brokers.Alpaca.Json;

/// <summary>Source-generated: no reflection and no type-name polymorphism on the wire.</summary>
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(AlpacaOrderJson))]
[JsonSerializable(typeof(List<AlpacaOrderJson>))]
[JsonSerializable(typeof(AlpacaNewOrderJson))]
[JsonSerializable(typeof(AlpacaReplaceOrderJson))]
[JsonSerializable(typeof(List<AlpacaPositionJson>))]
[JsonSerializable(typeof(AlpacaPositionJson))]
[JsonSerializable(typeof(List<AlpacaFillActivityJson>))]
[JsonSerializable(typeof(AlpacaErrorJson))]
[JsonSerializable(typeof(AlpacaAccountJson))]
[JsonSerializable(typeof(List<AlpacaCancelResultJson>))]
[JsonSerializable(typeof(AlpacaStreamEnvelope))]
[JsonSerializable(typeof(AlpacaAuthorizationJson))]
[JsonSerializable(typeof(AlpacaListenDataJson))]
[JsonSerializable(typeof(AlpacaListenMessage))]
[JsonSerializable(typeof(AlpacaAuthMessage))]
[JsonSerializable(typeof(AlpacaTradeUpdateJson))]
internal sealed partial class AlpacaJsonContext : JsonSerializerContext;

using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>Webhook bodies in the API's JSON (camelCase, enums as strings), so an event reads as it does on the event stream.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, UseStringEnumConverter = true)]
[JsonSerializable(typeof(WebhookDelivery))]
internal sealed partial class WebhookJsonContext : JsonSerializerContext;

using System.Text.Json;

namespace OrleansTrader.Gateway.Json;

/// <summary>
/// A value a gateway converter refuses, with a message written for the client: the 400 shows it under the field's name
/// (the serializer's own messages name .NET types and are not shown).
/// </summary>
internal sealed class JsonValueException(string message) : JsonException(message);

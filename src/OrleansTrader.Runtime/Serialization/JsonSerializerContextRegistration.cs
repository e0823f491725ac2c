using System.Text.Json.Serialization;

namespace OrleansTrader.Runtime;

/// <summary>A source-generated JSON context registered with AddJsonSerializerContext.</summary>
internal sealed record JsonSerializerContextRegistration(JsonSerializerContext Context);

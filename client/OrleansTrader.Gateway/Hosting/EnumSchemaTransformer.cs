using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansTrader.Gateway;

/// <summary>
/// An enum is one component shared by its nullable and non-nullable uses; the generator puts null among its values, and a
/// nullable property wraps it again in oneOf [null, enum], so null matched both branches and failed oneOf. The component
/// keeps the names only; a nullable property says null itself.
/// </summary>
internal static class EnumSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (schema.Enum is { Count: > 0 } values && values.Any(v => v is null || v.GetValueKind() == JsonValueKind.Null))
        {
            schema.Enum = [.. values.Where(v => v is not null && v.GetValueKind() != JsonValueKind.Null)];
        }

        if (schema.Enum is { Count: > 0 } names && schema.Type is null && names.All(v => v is JsonValue value && value.GetValueKind() == JsonValueKind.String))
        {
            schema.Type = JsonSchemaType.String;
        }

        return Task.CompletedTask;
    }
}

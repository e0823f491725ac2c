using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansTrader.Gateway;

/// <summary>
/// Decimals are read by <see cref="Json.ExactDecimalJsonConverter"/>, a custom converter the document generator cannot see
/// into (it would describe them as any value): they stay JSON numbers, null where optional.
/// </summary>
internal static class ExactDecimalSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(decimal))
        {
            schema.Type = JsonSchemaType.Number;
            schema.Format = "double";
        }
        else if (type == typeof(decimal?))
        {
            schema.Type = JsonSchemaType.Number | JsonSchemaType.Null;
            schema.Format = "double";
        }

        return Task.CompletedTask;
    }
}

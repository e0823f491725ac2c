using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansTrader.Gateway;

/// <summary>
/// Times are read by <see cref="Json.ExplicitOffsetJsonConverter"/>, a custom converter the document generator cannot see
/// into (it would describe them by their format alone, any JSON type): they stay date-time strings, null where optional.
/// </summary>
internal static class ExplicitOffsetSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(DateTimeOffset) || type == typeof(DateTimeOffset?))
        {
            // A query parameter lists no null (left out is how it is not given), as the generator writes it; a body's field does.
            var queried = context.ParameterDescription is { } parameter && parameter.Source != BindingSource.Body;
            schema.Type = type == typeof(DateTimeOffset?) && !queried ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
            schema.Format = "date-time";
        }

        return Task.CompletedTask;
    }
}

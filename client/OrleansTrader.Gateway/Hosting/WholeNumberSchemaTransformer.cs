using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansTrader.Gateway;

/// <summary>
/// Whole numbers are read by <see cref="Json.WholeNumberJsonConverter{T}"/>, a custom converter the document generator cannot
/// see into (it would describe them as any value): they stay integers of their width, null where optional, as the generator
/// writes them. The converter takes 1e2 and 100.0, which a JSON Schema integer is too (a number whose value is whole).
/// </summary>
internal static class WholeNumberSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        var underlying = Nullable.GetUnderlyingType(type) ?? type;
        if (underlying == typeof(int) || underlying == typeof(long))
        {
            // A query parameter lists no null (left out is how it is not given), as the generator writes it; a body's field does.
            var queried = context.ParameterDescription is { } parameter && parameter.Source != BindingSource.Body;
            schema.Type = underlying != type && !queried ? JsonSchemaType.Integer | JsonSchemaType.Null : JsonSchemaType.Integer;
            schema.Format = underlying == typeof(int) ? "int32" : "int64";
        }

        return Task.CompletedTask;
    }
}

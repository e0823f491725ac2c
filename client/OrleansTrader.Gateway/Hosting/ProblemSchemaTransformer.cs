using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansTrader.Gateway;

/// <summary>
/// Declares the fields the gateway adds to every problem answer (docs/api.md, "Errors"): the generator describes
/// ProblemDetails and a validation problem without them, and the validation problem as closed to any other field, so
/// a client checking answers against the document would refuse every 400.
/// </summary>
internal static class ProblemSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (context.JsonPropertyInfo is not null || !typeof(ProblemDetails).IsAssignableFrom(type) && type != typeof(HttpValidationProblemDetails))
        {
            return Task.CompletedTask;
        }

        schema.Properties ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        schema.Properties["correlationId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The request's X-Correlation-Id." };
        if (type == typeof(ProblemDetails))
        {
            schema.Properties["reason"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The refusal's code, e.g. ACCOUNT_NOT_OPEN or INSUFFICIENT_BUYING_POWER." };
            schema.Properties["maxQuantity"] = new OpenApiSchema { Type = JsonSchemaType.Number | JsonSchemaType.Null, Format = "double", Description = "The largest quantity the risk checks would pass, when known." };
            schema.Properties["causes"] = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String }, Description = "The order rules that failed (QUANTITY_INVALID, ORDER_INVALID)." };
            schema.Properties["orderId"] = new OpenApiSchema { Type = JsonSchemaType.String, Description = "The order a reused client order id names (CLIENT_ORDER_ID_REUSED)." };

            // The path checks (an id or symbol refused, an empty or dot segment) answer a validation problem on routes whose
            // handler never does, so their 400 is listed as this schema: without the field a generated client drops what
            // was refused.
            schema.Properties["errors"] = new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                AdditionalProperties = new OpenApiSchema { Type = JsonSchemaType.Array, Items = new OpenApiSchema { Type = JsonSchemaType.String } },
                Description = "The refused fields (a 400): each field's name, or 'path' or 'body', with what was wrong with it.",
            };
        }

        // RFC 9457 lets a problem carry extension members; the gateway's are listed above, others may follow.
        schema.AdditionalPropertiesAllowed = true;
        schema.AdditionalProperties = null;
        return Task.CompletedTask;
    }
}

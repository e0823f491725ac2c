using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansTrader.Gateway.Json;

namespace OrleansTrader.Gateway;

/// <summary>Describes a bar interval of an answer as it is written ("1s", "1m", "1d"), not as a TimeSpan's "hh:mm:ss".</summary>
internal static class BarIntervalSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.CustomConverter is BarIntervalJsonConverter)
        {
            schema.Type = JsonSchemaType.String;
            schema.Format = null;
            schema.Pattern = "^[0-9]+[smhd]$";
            schema.Description = "A bar interval as requests give it: \"1s\", \"1m\" or \"1d\".";
        }

        return Task.CompletedTask;
    }
}

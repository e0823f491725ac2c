using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansTrader.Gateway.Contracts;

namespace OrleansTrader.Gateway;

/// <summary>
/// A request field marked <see cref="AcceptedValuesAttribute"/> lists its names as an <c>enum</c>, so that a generated client
/// gets an enum type rather than a plain string. A field the server takes without (it has a default) may also be null; a
/// required one may not (400 naming it, as without it). Registered after <see cref="EnumSchemaTransformer"/>, which drops
/// null from enums.
/// </summary>
internal static class AcceptedValuesSchemaTransformer
{
    private const string OtherSpellings = "Any case, with or without '_' and '-', is accepted; answers write these names.";

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.AttributeProvider is not MemberInfo member
            || member.GetCustomAttribute<AcceptedValuesAttribute>(inherit: true) is not { } accepted)
        {
            return Task.CompletedTask;
        }

        var nullable = !member.IsDefined(typeof(RequiredFieldAttribute), inherit: true);
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Enum = [.. accepted.Values.Select(value => (JsonNode)JsonValue.Create(value))];
        if (nullable)
        {
            schema.Enum.Add(null!);
        }

        if (accepted.AnySpelling)
        {
            schema.Description = string.IsNullOrEmpty(schema.Description) ? OtherSpellings : $"{schema.Description} {OtherSpellings}";
        }

        return Task.CompletedTask;
    }
}

using System.Reflection;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Mvc.Infrastructure;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansTrader.Gateway.Contracts;

namespace OrleansTrader.Gateway;

/// <summary>
/// A request field marked <see cref="AcceptedValuesAttribute"/> lists its names as an <c>enum</c>, so that a generated client
/// gets an enum type rather than a plain string. A field the server takes without (it has a default) may also be null; a
/// required one may not (400 naming it, as without it). A list of names lists them for its items, and a query parameter
/// lists them without null (left out, it takes its default). Registered after <see cref="EnumSchemaTransformer"/>, which
/// drops null from enums.
/// </summary>
internal static class AcceptedValuesSchemaTransformer
{
    private const string OtherSpellings = "Any case, with or without '_' and '-', is accepted";

    private const string AsAnswersWrite = OtherSpellings + "; answers write these names.";

    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.JsonPropertyInfo?.AttributeProvider is MemberInfo member
            && member.GetCustomAttribute<AcceptedValuesAttribute>(inherit: true) is { } accepted)
        {
            if (context.JsonPropertyInfo.PropertyType == typeof(string))
            {
                List(schema, accepted, nullable: !member.IsDefined(typeof(RequiredFieldAttribute), inherit: true), AsAnswersWrite);
            }
            else if (schema.Items is OpenApiSchema items)
            {
                // A list of names (a webhook's kinds, a key's roles): each item is one of them, never null.
                List(items, accepted, nullable: false, AsAnswersWrite);
            }
        }
        else if (context.JsonPropertyInfo is null
            && context.ParameterDescription?.ParameterDescriptor is IParameterInfoParameterDescriptor { ParameterInfo: var parameter }
            && parameter.GetCustomAttribute<AcceptedValuesAttribute>() is { } acceptedParameter)
        {
            // No answer writes a query's names back: only that other spellings are taken.
            List(schema, acceptedParameter, nullable: false, otherSpellings: OtherSpellings + ".");
        }

        return Task.CompletedTask;
    }

    private static void List(OpenApiSchema schema, AcceptedValuesAttribute accepted, bool nullable, string otherSpellings)
    {
        schema.Type = nullable ? JsonSchemaType.String | JsonSchemaType.Null : JsonSchemaType.String;
        schema.Enum = [.. accepted.Values.Select(value => (JsonNode)JsonValue.Create(value))];
        if (nullable)
        {
            schema.Enum.Add(null!);
        }

        if (accepted.AnySpelling)
        {
            schema.Description = string.IsNullOrEmpty(schema.Description) ? otherSpellings : $"{schema.Description} {otherSpellings}";
        }
    }
}

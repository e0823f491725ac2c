using System.ComponentModel;
using System.Reflection;
using System.Text.Json.Serialization.Metadata;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;
using OrleansTrader.Gateway.Contracts;

namespace OrleansTrader.Gateway;

/// <summary>
/// A request schema lists as <c>required</c> the fields marked <see cref="RequiredFieldAttribute"/> (every request field is
/// nullable in C#, so the generator would list none), and a field's <see cref="DescriptionAttribute"/> says when it is
/// required with another (a limit price for a limit order), which a schema's <c>required</c> cannot say.
/// </summary>
internal static class RequiredFieldSchemaTransformer
{
    public static Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        // Every node of an object type, at the body's root or under a property (a fee model in an account's body).
        if (context.JsonTypeInfo.Kind != JsonTypeInfoKind.Object || schema.Properties is not { Count: > 0 } properties)
        {
            return Task.CompletedTask;
        }

        foreach (var property in context.JsonTypeInfo.Properties)
        {
            if (property.AttributeProvider is not MemberInfo member)
            {
                continue;
            }

            if (member.IsDefined(typeof(RequiredFieldAttribute), inherit: true))
            {
                schema.Required ??= new HashSet<string>(StringComparer.Ordinal);
                schema.Required.Add(property.Name);
            }

            if (member.GetCustomAttribute<DescriptionAttribute>(inherit: true) is { } description
                && properties.TryGetValue(property.Name, out var propertySchema))
            {
                switch (propertySchema)
                {
                    case OpenApiSchema inline:
                        inline.Description = description.Description;
                        break;
                    case OpenApiSchemaReference reference:
                        reference.Description = description.Description;
                        break;
                }
            }
        }

        return Task.CompletedTask;
    }
}

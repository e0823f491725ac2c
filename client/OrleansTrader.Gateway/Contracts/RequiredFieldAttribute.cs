namespace OrleansTrader.Gateway.Contracts;

/// <summary>
/// A request field the API refuses a body without (400 naming the field), listed in its schema's <c>required</c> by
/// <see cref="RequiredFieldSchemaTransformer"/>. The fields stay nullable in C#: the JSON binding takes a body without them,
/// so the validation answers with its own message rather than the serializer's.
/// </summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class RequiredFieldAttribute : Attribute;

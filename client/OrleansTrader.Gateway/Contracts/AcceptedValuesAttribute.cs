namespace OrleansTrader.Gateway.Contracts;

/// <summary>
/// A string request field (or each item of a list of strings, or a query parameter) that takes one of a fixed set of names,
/// listed as its schema's <c>enum</c> by <see cref="AcceptedValuesSchemaTransformer"/> so that a generated client gets an enum
/// type. The field stays a string in C#: the server parses it itself (<see cref="Validation.Rules.ParseEnum{T}"/>, any case,
/// '_' and '-' ignored) and answers an unknown name with a 400 naming the field and the names it takes, not with the
/// serializer's message.
/// </summary>
[AttributeUsage(AttributeTargets.Property | AttributeTargets.Parameter)]
public sealed class AcceptedValuesAttribute : Attribute
{
    /// <summary>An enum parsed by <see cref="Validation.Rules.ParseEnum{T}"/>: its names, as answers write them; all of them,
    /// or only <paramref name="names"/> where the field takes some (a trip's state is never "Active").</summary>
    public AcceptedValuesAttribute(Type enumType, params string[] names)
    {
        ArgumentNullException.ThrowIfNull(enumType);
        ArgumentNullException.ThrowIfNull(names);
        var all = Enum.GetNames(enumType);
        if (names.FirstOrDefault(name => !all.Contains(name, StringComparer.Ordinal)) is { } unknown)
        {
            throw new ArgumentException($"{unknown} is not a name of {enumType.Name}.", nameof(names));
        }

        Values = names.Length == 0 ? all : names;
        AnySpelling = true;
    }

    /// <summary>Names compared exactly (a broker's, a currency's, a bar interval's).</summary>
    public AcceptedValuesAttribute(params string[] values)
    {
        ArgumentNullException.ThrowIfNull(values);
        Values = values;
    }

    public IReadOnlyList<string> Values { get; }

    /// <summary>Whether the server also takes other spellings of the names (any case, with or without '_' and '-').</summary>
    public bool AnySpelling { get; }
}

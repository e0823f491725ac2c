using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.ApiKeys;
using OrleansTrader.Grains.Hosting;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The members and enum values of every stored record, pinned to <see cref="StoreFormat.Current"/>: a build of an older
/// format reads a record without the members it does not know and writes it back without them, and cannot read an enum
/// value it does not know. A change here therefore raises the format, which makes that older build refuse the store at its
/// start instead (StoreFormatCheck). The shape is kept in StoredRecordShapes.txt.
/// </summary>
public sealed class StoredRecordShapeTests
{
    /// <summary>The contexts the silo stores state and stream events with (TradingSiloBuilderExtensions.AddTradingGrains).</summary>
    private static readonly JsonSerializerContext[] Contexts =
    [
        GrainsJsonContext.Default, GrainsStateJsonContext.Default, AccountStateJsonContext.Default, ApiKeysStateJsonContext.Default,
    ];

    [Fact]
    public void TheStoredRecords_HaveTheShapeOfTheCurrentStoreFormat()
    {
        var file = Path.Combine(AppContext.BaseDirectory, "StoredRecordShapes.txt");
        var pinned = File.ReadAllLines(file);
        var current = Shape();

        var added = current.Except(pinned, StringComparer.Ordinal).ToList();
        var removed = pinned.Skip(1).Except(current, StringComparer.Ordinal).ToList();
        Assert.True(
            pinned[0] == current[0] && added.Count == 0 && removed.Count == 0,
            $"The stored records differ from those of {pinned[0]} (tests/OrleansTrader.Grains.Tests/StoredRecordShapes.txt). A build of " +
            "that format would drop or misread what this one stores: raise StoreFormat.Current, so that such a build refuses the " +
            "store at its start, and write this shape to the file (its first line the new format).\n" +
            string.Join("\n", added.Select(l => "+ " + l).Concat(removed.Select(l => "- " + l))));
    }

    /// <summary>"store format N", then one line per member ("Type.Member: MemberType"), per enum ("Enum = A, B") and per base of derived types, sorted.</summary>
    private static List<string> Shape()
    {
        var lines = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var context in Contexts)
        {
            foreach (var info in StoredTypes(context))
            {
                if (info.Type.IsEnum)
                {
                    lines.Add($"{Name(info.Type)} = {string.Join(", ", Enum.GetNames(info.Type))}");
                }
                else if (info.Kind == JsonTypeInfoKind.Object)
                {
                    if (info.PolymorphismOptions is { } polymorphism)
                    {
                        lines.Add($"{Name(info.Type)} is one of " +
                            string.Join(", ", polymorphism.DerivedTypes.Select(d => $"{Name(d.DerivedType)} ({d.TypeDiscriminator})")));
                    }

                    foreach (var property in info.Properties)
                    {
                        lines.Add($"{Name(info.Type)}.{property.Name}: {Name(property.PropertyType)}");
                    }
                }
            }
        }

        return [$"store format {StoreFormat.Current}", .. lines];
    }

    /// <summary>The project's own types a context stores, from its roots through members, elements and derived types.</summary>
    private static IEnumerable<JsonTypeInfo> StoredTypes(JsonSerializerContext context)
    {
        var roots = context.GetType().CustomAttributes
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!);
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots);
        while (pending.TryDequeue(out var type))
        {
            type = Nullable.GetUnderlyingType(type) ?? type;
            if (!seen.Add(type) || context.GetTypeInfo(type) is not { } info)
            {
                continue;
            }

            foreach (var next in new[] { info.ElementType, info.KeyType }.OfType<Type>()
                .Concat(info.PolymorphismOptions?.DerivedTypes.Select(d => d.DerivedType) ?? [])
                .Concat(info.Properties.Select(p => p.PropertyType))
                .Concat(type.IsGenericType ? type.GetGenericArguments() : []))
            {
                pending.Enqueue(next);
            }

            if (type.Namespace?.StartsWith("OrleansTrader", StringComparison.Ordinal) == true)
            {
                yield return info;
            }
        }
    }

    private static string Name(Type type) => Nullable.GetUnderlyingType(type) is { } underlying
        ? Name(underlying) + "?"
        : type.IsGenericType
            ? $"{type.Name[..type.Name.IndexOf('`', StringComparison.Ordinal)]}<{string.Join(", ", type.GetGenericArguments().Select(Name))}>"
            : type.IsArray ? Name(type.GetElementType()!) + "[]" : type.Name;
}

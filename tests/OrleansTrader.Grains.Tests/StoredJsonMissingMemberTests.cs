using System.Reflection;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.ApiKeys;

namespace OrleansTrader.Grains.Tests;

/// <summary>
/// The rule for every type the silo stores as JSON (grain states, events on durable streams):
/// a member the stored JSON lacks, because the build that wrote it did not have that member yet, reads as the value a new
/// instance has, never as null or a zeroed value the code does not expect.
/// </summary>
/// <remarks>
/// It does not hold by itself: the source-generated reader passes every init-only member through the object-creation call
/// (<c>new T(...) { Member = value }</c>), so a member missing from the JSON is set to null or default(T) over its
/// initializer (dotnet/runtime#84484). A breaker stored before its status had "Overridden" read null there, and every
/// evaluation after the upgrade threw (410ce81). A non-nullable init-only member with an initializer needs a guard, e.g.
/// <c>{ get; init => field = value ?? []; } = [];</c>. The test finds every member without one, by name.
/// </remarks>
public sealed class StoredJsonMissingMemberTests
{
    /// <summary>The contexts the silo registers to store state and stream events (TradingSiloBuilderExtensions.AddTradingGrains).</summary>
    public static TheoryData<string> StoredContexts() => new(Contexts.Keys);

    private static readonly Dictionary<string, JsonSerializerContext> Contexts = new()
    {
        [nameof(GrainsJsonContext)] = GrainsJsonContext.Default,
        [nameof(GrainsStateJsonContext)] = GrainsStateJsonContext.Default,
        [nameof(AccountStateJsonContext)] = AccountStateJsonContext.Default,
        [nameof(ApiKeysStateJsonContext)] = ApiKeysStateJsonContext.Default,
    };

    /// <summary>
    /// Value members whose initializer is not default(T), so a record without them would read default(T): an init
    /// accessor cannot guard them (it cannot tell a stored 0 or false from a missing one). Each has been in its type since
    /// the type's first build (git history), so every stored record has it; CreateStrategy and RunBacktest are call
    /// arguments, never read from JSON another build wrote. A new member must not join the list:
    /// give it default(T) as its initial value (phrase a flag so that false is the old behaviour), or take it as a
    /// constructor parameter with a default, which the reader keeps (FeeModelSpec.DatedRegulatoryRates).
    /// </summary>
    private static readonly HashSet<string> ValueMembersEveryBuildWrote =
    [
        "BreakerPolicy.DailyLossLimit", "BreakerPolicy.MaxDrawdownPercent", "BreakerPolicy.MaxBrokerErrorRate",
        "BreakerPolicy.ErrorWindow", "BreakerPolicy.MinErrorSamples", "BreakerPolicy.StaleDataMaxAge",
        "RiskLimits.MaxOrderNotional", "RiskLimits.MaxPositionNotional", "RiskLimits.MaxPositionPercentOfEquity",
        "RiskLimits.MaxOpenOrders", "RiskLimits.MaxSubmitsPerWindow", "RiskLimits.SubmitWindow", "RiskLimits.MaxQuoteAge",
        "RiskLimits.PriceBandPercent", "RiskLimits.AllowShortSelling", "RiskLimits.RequireMarketOpen",
        "FeeModelSpec.PerShareRate", "FeeModelSpec.MinimumPerOrder", "FeeModelSpec.MaxPercentOfNotional",
        "FeeModelSpec.BasisPoints", "FeeModelSpec.IncludeRegulatoryFees", "FeeModelSpec.SecFeePerMillion",
        "FeeModelSpec.TafPerShare", "FeeModelSpec.TafMaxPerTrade",
        "CreateStrategy.BarInterval", "RunBacktest.BarInterval", "RunBacktest.Bars", "RunBacktest.InitialCash",
    ];

    [Theory]
    [MemberData(nameof(StoredContexts))]
    public void EveryNonNullableMember_LeftOutOfTheStoredJson_ReadsAsANewInstanceHasIt(string contextName)
    {
        var context = Contexts[contextName];

        // "{}" stands for a record written before any of its optional members existed. Required members are what every
        // build wrote (a record without them cannot be made in code either), so the reader is told to let them be missing.
        var reader = new JsonSerializerOptions(context.Options)
        {
            TypeInfoResolver = context.WithAddedModifier(static info =>
            {
                foreach (var property in info.Properties)
                {
                    property.IsRequired = false;
                }
            }),
        };

        var problems = new List<string>();
        var checkedMembers = 0;
        foreach (var info in StoredObjectTypes(context))
        {
            var type = info.Type;
            object? read;
            try
            {
                read = JsonSerializer.Deserialize("{}"u8, reader.GetTypeInfo(type));
            }
            catch (Exception e) when (e is JsonException or ArgumentException or InvalidOperationException or TargetInvocationException)
            {
                problems.Add($"{type.Name} cannot be read from {{}}: {e.GetType().Name}: {e.Message}");
                continue;
            }

            var fresh = NewInstance(type);
            foreach (var property in info.Properties)
            {
                if (!IsOptionalWhenRead(property) || IsNullable(property))
                {
                    continue;
                }

                checkedMembers++;
                var name = $"{type.Name}.{property.Name}";
                var value = property.Get!(read!);
                if (!property.PropertyType.IsValueType)
                {
                    if (value is null)
                    {
                        problems.Add($"{name} reads null");
                    }
                }
                else if (fresh is null)
                {
                    problems.Add($"{name}: no new {type.Name} can be made to compare it with");
                }
                else if (!Equals(value, property.Get!(fresh)) && !ValueMembersEveryBuildWrote.Contains(name))
                {
                    problems.Add($"{name} reads {value}, a new {type.Name} has {property.Get!(fresh)}");
                }
            }
        }

        Assert.True(problems.Count == 0, $"{contextName}: {problems.Count} member(s) left out of stored JSON do not read as a new instance has them:\n" + string.Join("\n", problems.Distinct()));
        Assert.True(checkedMembers > 0, $"{contextName}: no member checked");
    }

    /// <summary>
    /// The object types a context reads, from its roots through the members it reads, elements and derived types: the project's own
    /// (the framework's types are not ours to guard), and not abstract (a base is read as one of its derived types).
    /// </summary>
    private static IEnumerable<JsonTypeInfo> StoredObjectTypes(JsonSerializerContext context)
    {
        var roots = context.GetType().CustomAttributes
            .Where(a => a.AttributeType == typeof(JsonSerializableAttribute))
            .Select(a => (Type)a.ConstructorArguments[0].Value!);
        var seen = new HashSet<Type>();
        var pending = new Queue<Type>(roots);
        while (pending.TryDequeue(out var type))
        {
            if (!seen.Add(type) || context.GetTypeInfo(type) is not { } info)
            {
                continue;
            }

            foreach (var next in new[] { info.ElementType, info.KeyType }.OfType<Type>()
                .Concat(info.PolymorphismOptions?.DerivedTypes.Select(d => d.DerivedType) ?? [])
                .Concat(info.Properties.Where(IsRead).Select(p => p.PropertyType))
                .Concat(type.IsGenericType ? type.GetGenericArguments() : []))
            {
                pending.Enqueue(next);
            }

            if (info.Kind == JsonTypeInfoKind.Object && !type.IsAbstract && type.Namespace?.StartsWith("OrleansTrader", StringComparison.Ordinal) == true)
            {
                yield return info;
            }
        }
    }

    /// <summary>
    /// A member the reader fills in from the JSON when there, and otherwise leaves to the type: not required, and not an
    /// argument of the constructor without a default (every build wrote those; a record cannot be made without them).
    /// </summary>
    private static bool IsOptionalWhenRead(JsonPropertyInfo property) =>
        IsRead(property) && !property.IsRequired && property.AssociatedParameter is not { IsMemberInitializer: false, HasDefaultValue: false };

    /// <summary>Set from the JSON when read (a get-only member, such as a computed one, is only written).</summary>
    private static bool IsRead(JsonPropertyInfo property) => property.Set is not null || property.AssociatedParameter is not null;

    private static bool IsNullable(JsonPropertyInfo property) => property.PropertyType.IsValueType
        ? Nullable.GetUnderlyingType(property.PropertyType) is not null
        : property.AttributeProvider switch
        {
            PropertyInfo clr => new NullabilityInfoContext().Create(clr).ReadState != NullabilityState.NotNull,
            FieldInfo field => new NullabilityInfoContext().Create(field).ReadState != NullabilityState.NotNull,
            _ => true,
        };

    /// <summary>
    /// An instance as code makes one, initializers run: by the parameterless constructor, or by the widest constructor
    /// with its parameters' defaults (a record's primary constructor). Null when the constructor refuses those.
    /// </summary>
    private static object? NewInstance(Type type)
    {
        const BindingFlags Constructors = BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic;
        if (type.GetConstructor(Constructors, Type.EmptyTypes) is { } parameterless)
        {
            return parameterless.Invoke(null);
        }

        if (type.IsValueType)
        {
            return Activator.CreateInstance(type);
        }

        var widest = type.GetConstructors(Constructors)
            .Where(c => c.GetParameters() is not [{ } only] || only.ParameterType != type)
            .MaxBy(c => c.GetParameters().Length);
        try
        {
            return widest?.Invoke(widest.GetParameters()
                .Select(p => p.HasDefaultValue ? p.DefaultValue : p.ParameterType.IsValueType ? Activator.CreateInstance(p.ParameterType) : null)
                .ToArray());
        }
        catch (TargetInvocationException)
        {
            return null;
        }
    }
}

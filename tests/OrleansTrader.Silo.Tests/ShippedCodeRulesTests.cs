using System.Reflection;
using System.Text.RegularExpressions;
using OrleansTrader.Brokers;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// The rules LESSONS 1 and 2 keep on what the silo ships: no placeholder or test double in an assembly the silo loads,
/// and the broker client reachable only from the account grain (which runs the risk checks before it submits).
/// "Shipped" is the silo's own reference closure, so a new project is covered as soon as the silo references it.
/// </summary>
public sealed partial class ShippedCodeRulesTests
{
    [Fact]
    public void TheSilo_LoadsNoTestAssembly_AndNoTestDoubleType()
    {
        var shipped = ShippedAssemblies();

        Assert.Contains(shipped, a => a.GetName().Name == "OrleansTrader.Grains");
        Assert.DoesNotContain(shipped, a => TestAssemblyName().IsMatch(a.GetName().Name!));
        var doubles = shipped.SelectMany(LoadableTypes).Where(t => TestDoubleTypeName().IsMatch(t.Name)).Select(t => t.FullName).ToList();
        Assert.True(doubles.Count == 0, "Test doubles in shipped assemblies:\n" + string.Join("\n", doubles));
    }

    [Fact]
    public void ShippedSources_HoldNoTodoAndNoNotImplementedException()
    {
        var root = RepositoryFolder.Root;
        var projects = ShippedAssemblies().Select(a => a.GetName().Name!).ToHashSet(StringComparer.Ordinal);
        var sources = new[] { "src", "grains", "client", "silo" }
            .SelectMany(d => Directory.GetFiles(Path.Combine(root, d), "*.csproj", SearchOption.AllDirectories))
            .Where(p => projects.Contains(Path.GetFileNameWithoutExtension(p)))
            .SelectMany(p => Directory.GetFiles(Path.GetDirectoryName(p)!, "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                && !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .ToList();

        Assert.True(sources.Count > 100, $"Only {sources.Count} shipped sources found under {root}.");
        var placeholders = sources
            .SelectMany(f => File.ReadLines(f).Select((line, i) => (File: f, Line: i + 1, Text: line)))
            .Where(l => Placeholder().IsMatch(l.Text))
            .Select(l => $"{Path.GetRelativePath(root, l.File)}:{l.Line}: {l.Text.Trim()}")
            .ToList();
        Assert.True(placeholders.Count == 0, "Placeholders in shipped code:\n" + string.Join("\n", placeholders));
    }

    [Fact]
    public void OnlyTheAccountGrain_HoldsABrokerClient_OutsideTheBrokersThemselves()
    {
        var shipped = ShippedAssemblies();
        var brokersAssembly = typeof(IBrokerClient).Assembly;
        var grains = shipped.Single(a => a.GetName().Name == "OrleansTrader.Grains");
        // Anything that is or hands out a broker client: the interface, its implementations and the grains' factory. (The
        // paper venue itself is fed quotes by the symbol grains; its clients are made only by the factory.)
        var brokerTypes = shipped.SelectMany(LoadableTypes)
            .Where(t => typeof(IBrokerClient).IsAssignableFrom(t))
            .Append(grains.GetType("OrleansTrader.Grains.Brokers.IBrokerClientFactory", throwOnError: true)!)
            .ToHashSet();

        var holders = shipped.Where(a => a != brokersAssembly)
            .SelectMany(LoadableTypes)
            .Where(t => !brokerTypes.Contains(t) && Holds(t, brokerTypes))
            .Select(t => Outermost(t).FullName!)
            .ToHashSet(StringComparer.Ordinal);

        // The factory (with the Alpaca binding it builds from) makes clients for the account grain; the pump only reads
        // execution reports off them.
        string[] allowed =
        [
            "OrleansTrader.Grains.Accounts.AccountGrain", "OrleansTrader.Grains.Brokers.Alpaca.AlpacaBrokerBinding",
            "OrleansTrader.Grains.Brokers.BrokerClientFactory", "OrleansTrader.Grains.Brokers.ExecutionReportPump",
        ];
        Assert.Contains("OrleansTrader.Grains.Accounts.AccountGrain", holders);
        var others = holders.Except(allowed, StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        Assert.True(others.Count == 0, "Broker clients reachable outside the account grain:\n" + string.Join("\n", others));
    }

    private static bool Holds(Type type, HashSet<Type> brokerTypes)
    {
        const BindingFlags all = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
        return type.GetFields(all).Select(f => f.FieldType)
            .Concat(type.GetConstructors(all).SelectMany(c => c.GetParameters()).Select(p => p.ParameterType))
            .Any(t => Mentions(t, brokerTypes));
    }

    private static bool Mentions(Type type, HashSet<Type> brokerTypes) =>
        brokerTypes.Contains(type)
        || (type.HasElementType && Mentions(type.GetElementType()!, brokerTypes))
        || (type.IsGenericType && type.GetGenericArguments().Any(a => Mentions(a, brokerTypes)));

    private static Type Outermost(Type type) => type.DeclaringType is { } outer ? Outermost(outer) : type;

    /// <summary>The OrleansTrader assemblies the silo references, directly or through another.</summary>
    private static List<Assembly> ShippedAssemblies()
    {
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Stack<Assembly>([typeof(Program).Assembly]);
        while (pending.TryPop(out var assembly))
        {
            if (!found.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name!.StartsWith("OrleansTrader.", StringComparison.Ordinal) || TestAssemblyName().IsMatch(reference.Name))
                {
                    pending.Push(Assembly.Load(reference));
                }
            }
        }

        return [.. found.Values];
    }

    private static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            return ex.Types.OfType<Type>();
        }
    }

    [GeneratedRegex(@"(^|\.)(Testing|Tests?)$|^(xunit|Moq|NSubstitute|FakeItEasy|Microsoft\.Extensions\.TimeProvider\.Testing)", RegexOptions.IgnoreCase)]
    private static partial Regex TestAssemblyName();

    [GeneratedRegex(@"^(Fake|Stub|Mock|Dummy|Test)[A-Z]")]
    private static partial Regex TestDoubleTypeName();

    [GeneratedRegex(@"\b(TODO|FIXME|NotImplementedException)\b")]
    private static partial Regex Placeholder();
}

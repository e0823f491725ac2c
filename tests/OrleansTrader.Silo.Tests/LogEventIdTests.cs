using System.Reflection;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// Docs and log queries name a line by its event id ("event 5803"), so an id must mean one line in the whole silo. Two
/// classes once shared 1000-1002, 5701-5704 and 7001-7003: a query for the Alpaca circuit opening (5701) also matched
/// the startup line, and a test picking the startup line by its id would have matched the circuit warning.
/// </summary>
public sealed class LogEventIdTests
{
    [Fact]
    public void EveryLoggedEventId_IsDeclaredOnce_AcrossTheSilosAssemblies()
    {
        var declarations = SiloAssemblies()
            .SelectMany(LoadableTypes)
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static | BindingFlags.Instance | BindingFlags.DeclaredOnly))
            .Select(m => (Method: m, Attribute: m.GetCustomAttribute<LoggerMessageAttribute>()))
            .Where(d => d.Attribute is { EventId: >= 0 })
            .Select(d => (Id: d.Attribute!.EventId, Where: $"{d.Method.DeclaringType!.FullName}.{d.Method.Name}"))
            .ToList();

        // Guards against a scan that finds nothing (the attribute not kept, an assembly not reached) and so cannot fail.
        Assert.True(declarations.Count > 100, $"found only {declarations.Count} [LoggerMessage] declarations");
        Assert.Contains(declarations, d => d.Where.StartsWith("OrleansTrader.Runtime.", StringComparison.Ordinal));
        Assert.Contains(declarations, d => d.Where.StartsWith("OrleansTrader.Gateway.", StringComparison.Ordinal));

        var shared = declarations.GroupBy(d => d.Id).Where(g => g.Count() > 1)
            .Select(g => $"{g.Key}: {string.Join(", ", g.Select(d => d.Where).Order(StringComparer.Ordinal))}")
            .Order(StringComparer.Ordinal)
            .ToList();
        Assert.True(shared.Count == 0, "Event ids declared more than once:\n" + string.Join("\n", shared));
    }

    /// <summary>The silo's assembly and every OrleansTrader assembly it reaches.</summary>
    private static List<Assembly> SiloAssemblies()
    {
        var found = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([typeof(Program).Assembly]);
        while (pending.TryDequeue(out var assembly))
        {
            if (!found.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (var reference in assembly.GetReferencedAssemblies())
            {
                if (reference.Name!.StartsWith("OrleansTrader.", StringComparison.Ordinal) && !found.ContainsKey(reference.Name))
                {
                    pending.Enqueue(Assembly.Load(reference));
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
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }
}

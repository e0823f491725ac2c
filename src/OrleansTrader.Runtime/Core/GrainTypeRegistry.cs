using System.Reflection;

namespace OrleansTrader.Runtime;

/// <summary>Grain classes by grain type and by interface, built once from the registered assemblies.</summary>
internal sealed class GrainTypeRegistry
{
    private readonly Dictionary<GrainType, GrainClassInfo> _byType = [];
    private readonly Dictionary<Type, List<GrainClassInfo>> _byInterface = [];
    private readonly Dictionary<string, List<GrainClassInfo>> _byNamespace = new(StringComparer.Ordinal);

    public GrainTypeRegistry(IEnumerable<GrainAssembly> assemblies)
    {
        foreach (var assembly in assemblies.Select(a => a.Assembly).Distinct())
        {
            foreach (var type in assembly.GetTypes())
            {
                if (type.IsClass && !type.IsAbstract && typeof(Grain).IsAssignableFrom(type) && !type.ContainsGenericParameters)
                {
                    Add(type);
                }
            }
        }
    }

    public IEnumerable<GrainClassInfo> Classes => _byType.Values;

    public GrainClassInfo GetClass(GrainType grainType) =>
        _byType.TryGetValue(grainType, out var info)
            ? info
            : throw new KeyNotFoundException($"No grain class has grain type '{grainType}'. Register its assembly with silo.AddGrains(...).");

    public GrainClassInfo GetClassForInterface(Type grainInterface)
    {
        if (!_byInterface.TryGetValue(grainInterface, out var classes))
        {
            throw new InvalidOperationException(
                $"No grain class implements {grainInterface}. Register the grain assembly with silo.AddGrains(typeof(SomeGrain).Assembly).");
        }

        if (classes.Count > 1)
        {
            throw new InvalidOperationException(
                $"{grainInterface} is implemented by several grain classes ({string.Join(", ", classes.Select(c => c.ClassType.Name))}); address them by their own interfaces.");
        }

        return classes[0];
    }

    public IReadOnlyList<GrainClassInfo> GetImplicitSubscribers(string streamNamespace) =>
        _byNamespace.TryGetValue(streamNamespace, out var classes) ? classes : [];

    private void Add(Type type)
    {
        var grainType = new GrainType(type.GetCustomAttribute<GrainTypeAttribute>()?.GrainType ?? type.FullName ?? type.Name);
        var namespaces = type.GetCustomAttributes<ImplicitStreamSubscriptionAttribute>().Select(a => a.Namespace).ToArray();
        var isReentrant = type.GetCustomAttribute<ReentrantAttribute>() is not null;
        var maxLocalWorkers = type.GetCustomAttribute<StatelessWorkerAttribute>()?.MaxLocalWorkers;
        var collectionAge = type.GetCustomAttribute<CollectionAgeLimitAttribute>()?.Amount;

        // The silo's collection timer runs at the smallest age: zero would make it fire once and never collect again.
        if (collectionAge <= TimeSpan.Zero)
        {
            throw new InvalidOperationException(
                $"[CollectionAgeLimit] on {type} must be positive (was {collectionAge}): set Minutes, Hours or Days.");
        }

        var info = new GrainClassInfo
        {
            ClassType = type,
            GrainType = grainType,
            IsReentrant = isReentrant,
            DetectsCallCycles = !isReentrant && maxLocalWorkers is null,
            MaxLocalWorkers = maxLocalWorkers,
            KeyKind = GrainKeys.KindOf(type),
            CollectionAge = collectionAge,
            ImplicitStreamNamespaces = namespaces,
            Factory = GrainClassFactoryBuilder.Build(type),
        };
        if (!_byType.TryAdd(grainType, info))
        {
            if (_byType[grainType].ClassType == type)
            {
                return;
            }

            throw new InvalidOperationException($"Grain classes {_byType[grainType].ClassType} and {type} share grain type '{grainType}'.");
        }

        foreach (var grainInterface in type.GetInterfaces())
        {
            if (typeof(IGrain).IsAssignableFrom(grainInterface) && grainInterface != typeof(IGrain)
                && grainInterface != typeof(IGrainWithStringKey) && grainInterface != typeof(IGrainWithGuidKey)
                && grainInterface != typeof(IGrainWithIntegerKey) && grainInterface != typeof(IRemindable))
            {
                if (!_byInterface.TryGetValue(grainInterface, out var list))
                {
                    _byInterface[grainInterface] = list = [];
                }

                list.Add(info);
            }
        }

        foreach (var streamNamespace in namespaces)
        {
            if (!_byNamespace.TryGetValue(streamNamespace, out var list))
            {
                _byNamespace[streamNamespace] = list = [];
            }

            list.Add(info);
        }
    }
}

using System.Reflection;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime;

/// <summary>
/// Builds the constructor call of a grain class once at silo start. Reflection happens here and at activation only,
/// never per call.
/// </summary>
internal static class GrainClassFactoryBuilder
{
    private static readonly MethodInfo CreateStateMethod =
        typeof(GrainClassFactoryBuilder).GetMethod(nameof(CreateState), BindingFlags.NonPublic | BindingFlags.Static)!;

    public static Func<IServiceProvider, ActivationData, object> Build(Type grainClass)
    {
        var constructors = grainClass.GetConstructors(BindingFlags.Public | BindingFlags.Instance);
        if (constructors.Length == 0)
        {
            throw new InvalidOperationException($"Grain class {grainClass} has no public constructor.");
        }

        var constructor = constructors.OrderByDescending(c => c.GetParameters().Length).First();
        var parameters = constructor.GetParameters();
        var resolvers = new Func<IServiceProvider, ActivationData, object?>[parameters.Length];
        for (var i = 0; i < parameters.Length; i++)
        {
            resolvers[i] = BuildResolver(grainClass, parameters[i]);
        }

        return (services, activation) =>
        {
            var args = new object?[resolvers.Length];
            for (var i = 0; i < resolvers.Length; i++)
            {
                args[i] = resolvers[i](services, activation);
            }

            return constructor.Invoke(BindingFlags.DoNotWrapExceptions, binder: null, args, culture: null);
        };
    }

    private static Func<IServiceProvider, ActivationData, object?> BuildResolver(Type grainClass, ParameterInfo parameter)
    {
        var type = parameter.ParameterType;
        if (parameter.GetCustomAttribute<PersistentStateAttribute>() is { } attribute)
        {
            if (!type.IsGenericType || type.GetGenericTypeDefinition() != typeof(IPersistentState<>))
            {
                throw new InvalidOperationException(
                    $"Parameter '{parameter.Name}' of {grainClass} has [PersistentState] but is not IPersistentState<T>.");
            }

            var create = CreateStateMethod.MakeGenericMethod(type.GetGenericArguments()[0])
                .CreateDelegate<Func<ActivationData, string, string, object>>();
            var stateName = attribute.StateName;
            var storageName = attribute.StorageName;
            return (_, activation) => create(activation, stateName, storageName);
        }

        if (parameter.HasDefaultValue)
        {
            var fallback = parameter.DefaultValue;
            return (services, _) => services.GetService(type) ?? fallback;
        }

        return (services, _) => services.GetRequiredService(type);
    }

    private static object CreateState<TState>(ActivationData activation, string stateName, string storageName) =>
        new PersistentState<TState>(activation, stateName, storageName);
}

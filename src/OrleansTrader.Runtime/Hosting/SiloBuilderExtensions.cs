using System.Reflection;
using System.Text.Json.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime;

/// <summary>Hosting: builder.UseOrleansTraderSilo(silo => ...) and the silo's configuration methods.</summary>
public static class SiloBuilderExtensions
{
    /// <summary>Hosts a silo in this application. The silo starts with the host and deactivates every grain when it stops.</summary>
    public static IHostApplicationBuilder UseOrleansTraderSilo(this IHostApplicationBuilder builder, Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(configure);
        AddSiloServices(builder.Services, configure);
        return builder;
    }

    /// <summary>The same registration on a bare service collection (for hosts that are not IHostApplicationBuilder).</summary>
    public static IServiceCollection AddOrleansTraderSilo(this IServiceCollection services, Action<ISiloBuilder> configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(configure);
        AddSiloServices(services, configure);
        return services;
    }

    /// <summary>Hosts the grain classes of <paramref name="assembly"/>.</summary>
    public static ISiloBuilder AddGrains(this ISiloBuilder silo, Assembly assembly)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(assembly);
        silo.Services.AddSingleton(new GrainAssembly(assembly));
        return silo;
    }

    public static ISiloBuilder Configure<TOptions>(this ISiloBuilder silo, Action<TOptions> configure)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.Configure(configure);
        return silo;
    }

    /// <summary>In-memory grain storage under <paramref name="name"/> (states are stored serialized, so registered JSON types are needed).</summary>
    public static ISiloBuilder AddMemoryGrainStorage(this ISiloBuilder silo, string name)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        silo.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new MemoryGrainStorage(sp.GetRequiredService<IGrainStateSerializer>()));
        return silo;
    }

    /// <summary>In-memory grain storage as the default provider (used by [PersistentState] without a storage name).</summary>
    public static ISiloBuilder AddMemoryGrainStorageAsDefault(this ISiloBuilder silo) => silo.AddMemoryGrainStorage(GrainStorageNames.Default);

    /// <summary>A bounded, best-effort in-memory stream provider.</summary>
    public static ISiloBuilder AddMemoryStreams(this ISiloBuilder silo, string name, Action<MemoryStreamOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        var options = new MemoryStreamOptions();
        configure?.Invoke(options);
        silo.Services.AddSingleton(new StreamProviderRegistration(name, options, null, null));
        return silo;
    }

    /// <summary>A durable stream provider over the log the factory returns (also registered as a keyed IDurableStreamLog).</summary>
    public static ISiloBuilder AddDurableStreams(
        this ISiloBuilder silo, string name, Func<IServiceProvider, IDurableStreamLog> logFactory, Action<DurableStreamOptions>? configure = null)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(logFactory);
        var options = new DurableStreamOptions();
        configure?.Invoke(options);
        silo.Services.AddKeyedSingleton(name, (sp, _) => logFactory(sp));
        silo.Services.AddSingleton(new StreamProviderRegistration(name, null, options, sp => sp.GetRequiredKeyedService<IDurableStreamLog>(name)));
        return silo;
    }

    /// <summary>Reminders in process memory (lost when the process exits; tests share a MemoryReminderTable instance instead).</summary>
    public static ISiloBuilder UseInMemoryReminderService(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.TryAddSingleton<IReminderTable, MemoryReminderTable>();
        return silo;
    }

    public static ISiloBuilder AddIncomingGrainCallFilter<TFilter>(this ISiloBuilder silo)
        where TFilter : class, IIncomingGrainCallFilter
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton<IIncomingGrainCallFilter, TFilter>();
        return silo;
    }

    /// <summary>Makes the types of a source-generated JSON context serializable for storage and durable streams.</summary>
    public static ISiloBuilder AddJsonSerializerContext(this ISiloBuilder silo, JsonSerializerContext context)
    {
        ArgumentNullException.ThrowIfNull(silo);
        ArgumentNullException.ThrowIfNull(context);
        silo.Services.AddSingleton(new JsonSerializerContextRegistration(context));
        return silo;
    }

    /// <summary>
    /// Declares <typeparamref name="T"/> immutable, as Orleans' [Immutable] does: its instances (and everything they
    /// reference) never change once created, so the runtime may hand the same instance to several consumers instead of
    /// copies. Durable streams then deliver an event published on this silo to its caught-up consumers without
    /// deserializing it again. Declaring a type that does change shares its changes with every consumer.
    /// </summary>
    public static ISiloBuilder AddImmutableType<T>(this ISiloBuilder silo)
    {
        ArgumentNullException.ThrowIfNull(silo);
        silo.Services.AddSingleton(new ImmutableTypeRegistration(typeof(T)));
        return silo;
    }

    private static void AddSiloServices(IServiceCollection services, Action<ISiloBuilder> configure)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.AddOptionsWithValidateOnStart<SiloOptions>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SiloOptions>, SiloOptionsValidator>());
        services.TryAddSingleton<IGrainStateSerializer>(sp => new JsonGrainStateSerializer(sp.GetServices<JsonSerializerContextRegistration>()));
        services.TryAddSingleton(sp => new GrainTypeRegistry(sp.GetServices<GrainAssembly>()));
        services.TryAddSingleton<GrainRuntime>();
        services.TryAddSingleton<IClusterClient>(sp => sp.GetRequiredService<GrainRuntime>().Client);
        services.TryAddSingleton<IGrainFactory>(sp => sp.GetRequiredService<IClusterClient>());
        services.AddHostedService<SiloHostedService>();
        configure(new SiloBuilder(services));
    }
}

using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// Registers the SQL providers the way <see cref="ISiloBuilder"/> documents: a keyed singleton
/// <see cref="IGrainStorage"/> under the storage provider name, a keyed singleton <see cref="IDurableStreamLog"/>
/// under the stream provider name, and a plain singleton <see cref="IReminderTable"/>. Each provider gets named,
/// start-validated options and a readiness health check tagged "ready" that queries its database.
/// Grain storage resolves the runtime's <see cref="IGrainStateSerializer"/> from the container.
/// A stream log is also registered as its concrete type under the same key, which is how the durable stream
/// provider picks it up: <c>silo.AddSqliteStreamLog("durable", ...).AddDurableStreams("durable",
/// sp =&gt; sp.GetRequiredKeyedService&lt;SqliteDurableStreamLog&gt;("durable"))</c>. (Asking that factory for the
/// keyed <see cref="IDurableStreamLog"/> instead would resolve the factory's own registration, forever.)
/// </summary>
public static class AdoNetSiloBuilderExtensions
{
    /// <summary>The readiness tag on every health check registered here.</summary>
    public const string ReadyTag = "ready";

    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        var key = AddSqliteDatabase(builder, "storage", name, configure);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new SqliteGrainStorage(
            sp.GetRequiredKeyedService<SqliteDatabaseHandle>(key).Database,
            sp.GetRequiredService<IGrainStateSerializer>(),
            sp.GetService<ILogger<SqliteGrainStorage>>()));
        return builder;
    }

    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresStorageOptions> configure)
    {
        var key = AddPostgresDatabase(builder, "storage", name, configure);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new PostgresGrainStorage(
            sp.GetRequiredKeyedService<PostgresDatabaseHandle>(key).Database,
            sp.GetRequiredService<IGrainStateSerializer>(),
            sp.GetService<ILogger<PostgresGrainStorage>>()));
        return builder;
    }

    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteStorageOptions> configure)
    {
        var key = AddSqliteDatabase(builder, "reminders", "default", configure);
        builder.Services.RemoveAll<IReminderTable>();
        builder.Services.AddSingleton<IReminderTable>(sp => new SqliteReminderTable(
            sp.GetRequiredKeyedService<SqliteDatabaseHandle>(key).Database, sp.GetService<ILogger<SqliteReminderTable>>()));
        return builder;
    }

    public static ISiloBuilder UsePostgresReminderService(this ISiloBuilder builder, Action<PostgresStorageOptions> configure)
    {
        var key = AddPostgresDatabase(builder, "reminders", "default", configure);
        builder.Services.RemoveAll<IReminderTable>();
        builder.Services.AddSingleton<IReminderTable>(sp => new PostgresReminderTable(
            sp.GetRequiredKeyedService<PostgresDatabaseHandle>(key).Database, sp.GetService<ILogger<PostgresReminderTable>>()));
        return builder;
    }

    public static ISiloBuilder AddSqliteStreamLog(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        var key = AddSqliteDatabase(builder, "streams", name, configure);
        builder.Services.AddKeyedSingleton(name, (sp, _) => new SqliteDurableStreamLog(
            sp.GetRequiredKeyedService<SqliteDatabaseHandle>(key).Database, sp.GetService<ILogger<SqliteDurableStreamLog>>()));
        builder.Services.AddKeyedSingleton<IDurableStreamLog>(name, (sp, k) => sp.GetRequiredKeyedService<SqliteDurableStreamLog>(k));
        return builder;
    }

    public static ISiloBuilder AddPostgresStreamLog(this ISiloBuilder builder, string name, Action<PostgresStorageOptions> configure)
    {
        var key = AddPostgresDatabase(builder, "streams", name, configure);
        builder.Services.AddKeyedSingleton(name, (sp, _) => new PostgresDurableStreamLog(
            sp.GetRequiredKeyedService<PostgresDatabaseHandle>(key).Database, sp.GetService<ILogger<PostgresDurableStreamLog>>()));
        builder.Services.AddKeyedSingleton<IDurableStreamLog>(name, (sp, k) => sp.GetRequiredKeyedService<PostgresDurableStreamLog>(k));
        return builder;
    }

    private static string AddSqliteDatabase(ISiloBuilder builder, string kind, string name, Action<SqliteStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var key = $"sqlite-{kind}-{name}";
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<SqliteStorageOptions>(key).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqliteStorageOptions>, SqliteStorageOptionsValidator>());
        services.TryAddSingleton<SqliteDatabaseCache>();

        // Resolved through the cache (which owns and disposes it), not created here, so providers on one file share it.
        services.AddKeyedSingleton(key, (sp, _) => new SqliteDatabaseHandle(
            sp.GetRequiredService<SqliteDatabaseCache>().GetOrCreate(sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(key))));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, sp => new SqliteHealthCheck(sp.GetRequiredKeyedService<SqliteDatabaseHandle>(key).Database), failureStatus: null, tags: [ReadyTag]));
        return key;
    }

    private static string AddPostgresDatabase(ISiloBuilder builder, string kind, string name, Action<PostgresStorageOptions> configure)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(configure);
        var key = $"postgres-{kind}-{name}";
        var services = builder.Services;
        services.AddOptionsWithValidateOnStart<PostgresStorageOptions>(key).Configure(configure);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<PostgresStorageOptions>, PostgresStorageOptionsValidator>());
        services.TryAddSingleton<PostgresDatabaseCache>();
        services.AddKeyedSingleton(key, (sp, _) => new PostgresDatabaseHandle(
            sp.GetRequiredService<PostgresDatabaseCache>().GetOrCreate(sp.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get(key))));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, sp => new PostgresHealthCheck(sp.GetRequiredKeyedService<PostgresDatabaseHandle>(key).Database), failureStatus: null, tags: [ReadyTag]));
        return key;
    }
}

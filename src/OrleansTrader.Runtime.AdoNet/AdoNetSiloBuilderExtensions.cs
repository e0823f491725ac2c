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
/// The durable stream provider picks its log up with
/// <c>AddDurableStreams(name, sp =&gt; sp.GetRequiredKeyedService&lt;IDurableStreamLog&gt;(name), ...)</c>.
/// </summary>
public static class AdoNetSiloBuilderExtensions
{
    /// <summary>The readiness tag on every health check registered here.</summary>
    public const string ReadyTag = "ready";

    public static ISiloBuilder AddSqliteGrainStorage(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        var key = AddSqliteDatabase(builder, "storage", name, configure);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new SqliteGrainStorage(
            sp.GetRequiredKeyedService<SqliteDatabase>(key),
            sp.GetRequiredService<IGrainStateSerializer>(),
            sp.GetService<ILogger<SqliteGrainStorage>>()));
        return builder;
    }

    public static ISiloBuilder AddPostgresGrainStorage(this ISiloBuilder builder, string name, Action<PostgresStorageOptions> configure)
    {
        var key = AddPostgresDatabase(builder, "storage", name, configure);
        builder.Services.AddKeyedSingleton<IGrainStorage>(name, (sp, _) => new PostgresGrainStorage(
            sp.GetRequiredKeyedService<PostgresDatabase>(key),
            sp.GetRequiredService<IGrainStateSerializer>(),
            sp.GetService<ILogger<PostgresGrainStorage>>()));
        return builder;
    }

    public static ISiloBuilder UseSqliteReminderService(this ISiloBuilder builder, Action<SqliteStorageOptions> configure)
    {
        var key = AddSqliteDatabase(builder, "reminders", "default", configure);
        builder.Services.RemoveAll<IReminderTable>();
        builder.Services.AddSingleton<IReminderTable>(sp => new SqliteReminderTable(
            sp.GetRequiredKeyedService<SqliteDatabase>(key), sp.GetService<ILogger<SqliteReminderTable>>()));
        return builder;
    }

    public static ISiloBuilder UsePostgresReminderService(this ISiloBuilder builder, Action<PostgresStorageOptions> configure)
    {
        var key = AddPostgresDatabase(builder, "reminders", "default", configure);
        builder.Services.RemoveAll<IReminderTable>();
        builder.Services.AddSingleton<IReminderTable>(sp => new PostgresReminderTable(
            sp.GetRequiredKeyedService<PostgresDatabase>(key), sp.GetService<ILogger<PostgresReminderTable>>()));
        return builder;
    }

    public static ISiloBuilder AddSqliteStreamLog(this ISiloBuilder builder, string name, Action<SqliteStorageOptions> configure)
    {
        var key = AddSqliteDatabase(builder, "streams", name, configure);
        builder.Services.AddKeyedSingleton<IDurableStreamLog>(name, (sp, _) => new SqliteDurableStreamLog(
            sp.GetRequiredKeyedService<SqliteDatabase>(key), sp.GetService<ILogger<SqliteDurableStreamLog>>()));
        return builder;
    }

    public static ISiloBuilder AddPostgresStreamLog(this ISiloBuilder builder, string name, Action<PostgresStorageOptions> configure)
    {
        var key = AddPostgresDatabase(builder, "streams", name, configure);
        builder.Services.AddKeyedSingleton<IDurableStreamLog>(name, (sp, _) => new PostgresDurableStreamLog(
            sp.GetRequiredKeyedService<PostgresDatabase>(key), sp.GetService<ILogger<PostgresDurableStreamLog>>()));
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
        services.AddKeyedSingleton(key, (sp, _) => new SqliteDatabase(sp.GetRequiredService<IOptionsMonitor<SqliteStorageOptions>>().Get(key)));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, sp => new SqliteHealthCheck(sp.GetRequiredKeyedService<SqliteDatabase>(key)), failureStatus: null, tags: [ReadyTag]));
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
        services.AddKeyedSingleton(key, (sp, _) => new PostgresDatabase(sp.GetRequiredService<IOptionsMonitor<PostgresStorageOptions>>().Get(key)));
        services.AddHealthChecks().Add(new HealthCheckRegistration(
            key, sp => new PostgresHealthCheck(sp.GetRequiredKeyedService<PostgresDatabase>(key)), failureStatus: null, tags: [ReadyTag]));
        return key;
    }
}

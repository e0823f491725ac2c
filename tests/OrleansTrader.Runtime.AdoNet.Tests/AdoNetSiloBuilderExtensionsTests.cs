using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class AdoNetSiloBuilderExtensionsTests(PostgresDatabaseFixture postgres) : IDisposable, IClassFixture<PostgresDatabaseFixture>
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "orleanstrader-adonet-tests", Guid.NewGuid().ToString("N"));

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task SqliteRegistrations_ResolveKeyedProviders_AndReadinessQueriesTheFile()
    {
        var path = Path.Combine(_root, "data", "orleanstrader.db");
        await using var provider = BuildProvider(builder => builder
            .AddSqliteGrainStorage("default", o => o.DataSource = path)
            .UseSqliteReminderService(o => o.DataSource = path)
            .AddSqliteStreamLog("durable", o => o.DataSource = path));

        provider.GetRequiredService<IStartupValidator>().Validate();
        var storage = provider.GetRequiredKeyedService<IGrainStorage>("default");
        var reminders = provider.GetRequiredService<IReminderTable>();
        var log = provider.GetRequiredKeyedService<IDurableStreamLog>("durable");
        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"), Ct);

        Assert.IsType<SqliteGrainStorage>(storage);
        Assert.IsType<SqliteReminderTable>(reminders);
        Assert.IsType<SqliteDurableStreamLog>(log);
        Assert.Null(provider.GetKeyedService<IGrainStorage>("sqlite"));
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(["sqlite-reminders-default", "sqlite-storage-default", "sqlite-streams-durable"], report.Entries.Keys.Order(StringComparer.Ordinal));
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task SqliteRegistration_FailsStartupValidation_WhenOptionsAreInvalid()
    {
        await using var provider = BuildProvider(builder => builder.AddSqliteGrainStorage("default", o => o.TablePrefix = "x;--"));

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());

        Assert.Contains("exactly one of DataSource", error.Message, StringComparison.Ordinal);
        Assert.Contains("TablePrefix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresReadiness_IsUnhealthy_WhenServerIsUnreachable()
    {
        await using var provider = BuildProvider(builder => builder.AddPostgresGrainStorage(
            "default",
            o =>
            {
                o.ConnectionString = "Host=127.0.0.1;Port=1;Username=nobody;Password=secret-pw;Timeout=2";
                o.CommandTimeout = TimeSpan.FromSeconds(2);
            }));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"), Ct);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        var entry = Assert.Single(report.Entries);
        Assert.Equal("postgres-storage-default", entry.Key);
        Assert.DoesNotContain("secret-pw", entry.Value.Description, StringComparison.Ordinal);
    }

    [Fact]
    public async Task PostgresRegistrations_ResolveKeyedProviders_AndReadinessIsHealthy()
    {
        var connectionString = postgres.ConnectionString;
        await using var provider = BuildProvider(builder => builder
            .AddPostgresGrainStorage("default", o => o.ConnectionString = connectionString)
            .UsePostgresReminderService(o => o.ConnectionString = connectionString)
            .AddPostgresStreamLog("durable", o => o.ConnectionString = connectionString));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"), Ct);

        Assert.IsType<PostgresGrainStorage>(provider.GetRequiredKeyedService<IGrainStorage>("default"));
        Assert.IsType<PostgresReminderTable>(provider.GetRequiredService<IReminderTable>());
        Assert.IsType<PostgresDurableStreamLog>(provider.GetRequiredKeyedService<IDurableStreamLog>("durable"));
        Assert.Equal(HealthStatus.Healthy, report.Status);
        Assert.Equal(3, report.Entries.Count);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        if (Directory.Exists(_root))
        {
            Directory.Delete(_root, recursive: true);
        }
    }

    private static ServiceProvider BuildProvider(Action<ISiloBuilder> configure)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IGrainStateSerializer>(TestJsonSerializer.Instance);
        configure(new TestSiloBuilder(services));
        return services.BuildServiceProvider();
    }
}

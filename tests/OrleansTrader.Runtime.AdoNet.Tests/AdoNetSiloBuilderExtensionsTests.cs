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
    public async Task SqliteRegistrations_ShareOneDatabase_OnlyWhenConfiguredAlike()
    {
        var path = Path.Combine(_root, "shared.db");
        await using var provider = BuildProvider(builder => builder
            .AddSqliteGrainStorage("default", o => o.DataSource = path)
            .UseSqliteReminderService(o => o.DataSource = path)
            .AddSqliteStreamLog("durable", o => o.DataSource = path)
            .AddSqliteGrainStorage("other", o =>
            {
                o.DataSource = path;
                o.TablePrefix = "other_";
            }));

        SqliteDatabase Database(string key) => provider.GetRequiredKeyedService<SqliteDatabaseHandle>(key).Database;

        Assert.Same(Database("sqlite-storage-default"), Database("sqlite-reminders-default"));
        Assert.Same(Database("sqlite-storage-default"), Database("sqlite-streams-durable"));
        Assert.NotSame(Database("sqlite-storage-default"), Database("sqlite-storage-other"));
        Assert.Equal("other_", Database("sqlite-storage-other").TablePrefix);
    }

    [Fact]
    public async Task SqliteStreamLog_IsTheLogOfTheDurableStreamProvider_WhenRegisteredThroughAddDurableStreams()
    {
        var path = Path.Combine(_root, "streams.db");
        await using var provider = BuildProvider(builder => builder
            .AddSqliteStreamLog("durable", o => o.DataSource = path)
            .AddDurableStreams("durable", sp => sp.GetRequiredKeyedService<SqliteDurableStreamLog>("durable")));

        var log = provider.GetRequiredKeyedService<IDurableStreamLog>("durable");

        Assert.Same(provider.GetRequiredKeyedService<SqliteDurableStreamLog>("durable"), log);
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
    public async Task SqliteReadiness_IsUnhealthy_WhenFileCannotBeOpened()
    {
        var path = Path.Combine(_root, "not-a-file.db");
        Directory.CreateDirectory(path);
        await using var provider = BuildProvider(builder => builder.AddSqliteGrainStorage("default", o => o.DataSource = path));

        var report = await provider.GetRequiredService<HealthCheckService>().CheckHealthAsync(r => r.Tags.Contains("ready"), Ct);

        Assert.Equal(HealthStatus.Unhealthy, report.Status);
        Assert.Contains(path, Assert.Single(report.Entries).Value.Description, StringComparison.Ordinal);
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
        Assert.Same(
            provider.GetRequiredKeyedService<PostgresDatabaseHandle>("postgres-storage-default").Database,
            provider.GetRequiredKeyedService<PostgresDatabaseHandle>("postgres-streams-durable").Database);
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

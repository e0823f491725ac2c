using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class OptionsValidationTests
{
    private readonly SqliteStorageOptionsValidator _sqlite = new();
    private readonly PostgresStorageOptionsValidator _postgres = new();

    [Fact]
    public void SqliteValidator_Succeeds_ForFilePath()
    {
        var result = _sqlite.Validate("x", new SqliteStorageOptions { DataSource = "./data/orleanstrader.db", TablePrefix = "ot_1" });

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData("./data/orleanstrader.db")]
    [InlineData("data/../data/orleanstrader.db")]
    [InlineData(" ")]
    public void SqliteValidator_Fails_WhenSyncBeforeCommitNamesNoOtherFile(string other)
    {
        var result = _sqlite.Validate("x", new SqliteStorageOptions { DataSource = "./data/orleanstrader.db", SyncBeforeCommit = other });

        Assert.True(result.Failed);
        Assert.Contains("SyncBeforeCommit", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(null, null, "exactly one of DataSource")]
    [InlineData("Data Source=a.db", "b.db", "exactly one of DataSource")]
    [InlineData("Data Source=:memory:", null, "in-memory")]
    [InlineData("Data Source=a.db;Mode=Memory", null, "in-memory")]
    [InlineData("Data Source=a.db;Mode=ReadOnly", null, "read-only")]
    [InlineData("Bogus Keyword=1", null, "ConnectionString is invalid")]
    public void SqliteValidator_Fails_ForUnusableSource(string? connectionString, string? dataSource, string expected)
    {
        var result = _sqlite.Validate("x", new SqliteStorageOptions { ConnectionString = connectionString, DataSource = dataSource });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("ot;DROP TABLE x;--")]
    [InlineData("1ot")]
    [InlineData("ot-")]
    [InlineData("\"ot\"")]
    [InlineData("ünï")]
    public void SqliteValidator_Fails_ForPrefixThatIsNotAnIdentifier(string prefix)
    {
        var result = _sqlite.Validate("x", new SqliteStorageOptions { DataSource = "a.db", TablePrefix = prefix });

        Assert.True(result.Failed);
        Assert.Contains("TablePrefix", result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(61_000)]
    public void SqliteValidator_Fails_ForWalCheckpointIntervalOutOfRange(int milliseconds)
    {
        var result = _sqlite.Validate("x", new SqliteStorageOptions { DataSource = "a.db", WalCheckpointInterval = TimeSpan.FromMilliseconds(milliseconds) });

        Assert.True(result.Failed);
        Assert.Contains("WalCheckpointInterval", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteValidator_Succeeds_ForWalCheckpointIntervalZero_WhichTurnsTheCheckpointerOff()
    {
        Assert.True(_sqlite.Validate("x", new SqliteStorageOptions { DataSource = "a.db", WalCheckpointInterval = TimeSpan.Zero }).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(7200)]
    public void SqliteValidator_Fails_ForCommandTimeoutOutOfRange(int seconds)
    {
        var result = _sqlite.Validate("x", new SqliteStorageOptions { DataSource = "a.db", CommandTimeout = TimeSpan.FromSeconds(seconds) });

        Assert.True(result.Failed);
        Assert.Contains("CommandTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void SqliteDatabase_Throws_ForInvalidOptions()
    {
        var error = Assert.Throws<OptionsValidationException>(() => new SqliteDatabase(new SqliteStorageOptions()));

        Assert.Contains("exactly one of DataSource", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresValidator_Succeeds_ForConnectionStringAndSchema()
    {
        var result = _postgres.Validate("x", new PostgresStorageOptions { ConnectionString = "Host=db;Username=u;Password=p", Schema = "trading_1" });

        Assert.True(result.Succeeded);
    }

    [Theory]
    [InlineData(null, "public", "needs a ConnectionString")]
    [InlineData("Username=u", "public", "no Host")]
    [InlineData("Host=db;Nonsense=1", "public", "ConnectionString is invalid")]
    [InlineData("Host=db", "public; DROP SCHEMA public", "Schema")]
    [InlineData("Host=db", "", "Schema")]
    public void PostgresValidator_Fails_ForUnusableSettings(string? connectionString, string schema, string expected)
    {
        var result = _postgres.Validate("x", new PostgresStorageOptions { ConnectionString = connectionString, Schema = schema });

        Assert.True(result.Failed);
        Assert.Contains(expected, result.FailureMessage, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(3601)]
    public void PostgresValidator_Fails_ForIdleInTransactionTimeoutOutOfRange(int seconds)
    {
        var result = _postgres.Validate("x", new PostgresStorageOptions
        {
            ConnectionString = "Host=db",
            IdleInTransactionTimeout = TimeSpan.FromSeconds(seconds),
        });

        Assert.True(result.Failed);
        Assert.Contains("IdleInTransactionTimeout", result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void PostgresValidator_DoesNotEchoPassword_WhenConnectionStringIsInvalid()
    {
        var result = _postgres.Validate("x", new PostgresStorageOptions { ConnectionString = "Host=db;Password=s3cr3t-value;Nonsense=1" });

        Assert.True(result.Failed);
        Assert.DoesNotContain("s3cr3t-value", result.FailureMessage, StringComparison.Ordinal);
    }
}

using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Stops startup with a clear message when SQLite settings cannot work.</summary>
public sealed class SqliteStorageOptionsValidator : IValidateOptions<SqliteStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, SqliteStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    // Past this the writer's own checkpoint (every 16384 pages) comes first under any real write rate.
    private static readonly TimeSpan MaxWalCheckpointInterval = TimeSpan.FromMinutes(1);

    internal static IEnumerable<string> Failures(SqliteStorageOptions options)
    {
        var hasConnectionString = !string.IsNullOrWhiteSpace(options.ConnectionString);
        var hasDataSource = !string.IsNullOrWhiteSpace(options.DataSource);
        if (hasConnectionString == hasDataSource)
        {
            yield return "SQLite storage needs exactly one of DataSource (a file path) or ConnectionString.";
        }
        else
        {
            var error = ConnectionStringError(options);
            if (error is not null)
            {
                yield return error;
            }
        }

        if (options.TablePrefix is null || !SqlIdentifier.IsValid(options.TablePrefix, allowEmpty: true))
        {
            yield return $"SQLite TablePrefix '{options.TablePrefix}' is invalid: use only ASCII letters, digits and '_', " +
                $"start with a letter or '_', at most {SqlIdentifier.MaxLength} characters.";
        }

        var timeoutError = CommandTimeouts.Validate(options.CommandTimeout, "SQLite CommandTimeout");
        if (timeoutError is not null)
        {
            yield return timeoutError;
        }

        var busyError = CommandTimeouts.Validate(options.BusyTimeout, "SQLite BusyTimeout");
        if (busyError is not null)
        {
            yield return busyError;
        }

        if (options.WalCheckpointInterval < TimeSpan.Zero || options.WalCheckpointInterval > MaxWalCheckpointInterval)
        {
            yield return $"SQLite WalCheckpointInterval {options.WalCheckpointInterval} is out of range: use zero (off) up to {MaxWalCheckpointInterval}.";
        }

        if (options.SyncBeforeCommit is { } other && (string.IsNullOrWhiteSpace(other) || (hasDataSource && !hasConnectionString
            && string.Equals(Path.GetFullPath(other), Path.GetFullPath(options.DataSource!), StringComparison.Ordinal))))
        {
            yield return $"SQLite SyncBeforeCommit '{other}' must name another database file.";
        }
    }

    /// <summary>Throws <see cref="OptionsValidationException"/> for providers constructed without the options pipeline.</summary>
    internal static void ThrowIfInvalid(SqliteStorageOptions options)
    {
        var failures = Failures(options).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(SqliteStorageOptions), typeof(SqliteStorageOptions), failures);
        }
    }

    private static string? ConnectionStringError(SqliteStorageOptions options)
    {
        SqliteConnectionStringBuilder builder;
        try
        {
            builder = SqliteDatabase.BuildConnectionString(options);
        }
        catch (ArgumentException ex)
        {
            return $"SQLite ConnectionString is invalid: {ex.Message}";
        }

        if (string.IsNullOrWhiteSpace(builder.DataSource))
        {
            return "SQLite ConnectionString has no Data Source.";
        }

        if (builder.Mode == SqliteOpenMode.Memory || string.Equals(builder.DataSource, ":memory:", StringComparison.Ordinal))
        {
            return "SQLite storage must be a file: an in-memory database loses everything; use the memory providers instead.";
        }

        return builder.Mode == SqliteOpenMode.ReadOnly ? "SQLite storage cannot be opened read-only." : null;
    }
}

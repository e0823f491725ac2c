using Microsoft.Extensions.Options;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Stops startup with a clear message when PostgreSQL settings cannot work.</summary>
public sealed class PostgresStorageOptionsValidator : IValidateOptions<PostgresStorageOptions>
{
    public ValidateOptionsResult Validate(string? name, PostgresStorageOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = Failures(options).ToList();
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    internal static IEnumerable<string> Failures(PostgresStorageOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            yield return "PostgreSQL storage needs a ConnectionString.";
        }
        else
        {
            var error = ConnectionStringError(options.ConnectionString, "PostgreSQL ConnectionString");
            if (error is not null)
            {
                yield return error;
            }
        }

        if (options.Schema is null || !SqlIdentifier.IsValid(options.Schema, allowEmpty: false))
        {
            yield return $"PostgreSQL Schema '{options.Schema}' is invalid: use only ASCII letters, digits and '_', " +
                $"start with a letter or '_', at most {SqlIdentifier.MaxLength} characters.";
        }

        var timeoutError = CommandTimeouts.Validate(options.CommandTimeout, "PostgreSQL CommandTimeout");
        if (timeoutError is not null)
        {
            yield return timeoutError;
        }

        var idleError = CommandTimeouts.Validate(options.IdleInTransactionTimeout, "PostgreSQL IdleInTransactionTimeout");
        if (idleError is not null)
        {
            yield return idleError;
        }
    }

    internal static void ThrowIfInvalid(PostgresStorageOptions options)
    {
        var failures = Failures(options).ToList();
        if (failures.Count > 0)
        {
            throw new OptionsValidationException(nameof(PostgresStorageOptions), typeof(PostgresStorageOptions), failures);
        }
    }

    /// <summary>
    /// Why Npgsql cannot use <paramref name="connectionString"/>, as a sentence naming <paramref name="setting"/> (the key
    /// an operator set it under), or null when it can.
    /// </summary>
    public static string? ConnectionStringError(string connectionString, string setting)
    {
        ArgumentNullException.ThrowIfNull(connectionString);
        NpgsqlConnectionStringBuilder builder;
        try
        {
            builder = new NpgsqlConnectionStringBuilder(connectionString);
        }
        catch (ArgumentException ex)
        {
            // The message names the bad keyword; the connection string itself may hold a password and is not echoed.
            return $"{setting} is invalid: {ex.Message}";
        }

        return string.IsNullOrWhiteSpace(builder.Host) ? $"{setting} has no Host." : null;
    }
}

using System.Text.RegularExpressions;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

internal static partial class PostgresSchema
{
    /// <summary>Advisory lock class ids owned by these providers (two-int form, so they cannot collide with one-bigint locks).</summary>
    public const int SchemaLockClass = 0x4F54_0001;

    public const int StreamNamespaceLockClass = 0x4F54_0002;

    /// <summary>
    /// Runs DDL under a transaction-scoped advisory lock: concurrent CREATE ... IF NOT EXISTS from several silos
    /// can otherwise fail with a unique violation on the catalog. Skipped when every table and index the DDL creates is
    /// there already: CREATE TABLE and CREATE INDEX ... IF NOT EXISTS need the CREATE right on the schema (CREATE SCHEMA
    /// that on the database) even when nothing is missing, so a role granted only the use of the existing tables (a
    /// login other than the one that created them) could never start.
    /// </summary>
    public static async Task CreateAsync(PostgresDatabase database, string ddl, CancellationToken cancellationToken)
    {
        if (await AllExistAsync(database, CreatedRelations(database.SchemaInSql, ddl), cancellationToken))
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = database.CreateCommand(connection, "SELECT pg_advisory_xact_lock(@class, 0);", transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<int>("class", SchemaLockClass));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var schemaDdl = string.Equals(database.Schema, "public", StringComparison.OrdinalIgnoreCase)
            ? ddl
            : $"CREATE SCHEMA IF NOT EXISTS {database.SchemaInSql};\n{ddl}";
        await using (var command = database.CreateCommand(connection, schemaDdl, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }

    /// <summary>
    /// The relations <paramref name="ddl"/> creates, schema-qualified: taken from its own IF NOT EXISTS clauses, so one
    /// added there is looked for too. A table's name comes qualified; an index is created in its table's schema.
    /// </summary>
    internal static string[] CreatedRelations(string schema, string ddl) =>
        [.. CreatedName().Matches(ddl).Select(m => m.Groups[1].Value is var name && name.Contains('.', StringComparison.Ordinal) ? name : $"{schema}.{name}")];

    /// <summary>Whether each of <paramref name="relations"/> exists; to_regclass reads the names as SQL does.</summary>
    private static async Task<bool> AllExistAsync(PostgresDatabase database, string[] relations, CancellationToken cancellationToken)
    {
        if (relations.Length == 0)
        {
            return false;
        }

        await using var command = database.CreateCommand("SELECT bool_and(to_regclass(r) IS NOT NULL) FROM unnest(@relations) AS r;");
        command.Parameters.Add("relations", relations);
        return await command.ExecuteScalarAsync(cancellationToken) is true;
    }

    [GeneratedRegex(@"\bIF NOT EXISTS\s+([A-Za-z0-9_.""]+)", RegexOptions.CultureInvariant)]
    private static partial Regex CreatedName();
}

using Npgsql;

namespace OrleansTrader.Runtime.AdoNet;

internal static class PostgresSchema
{
    /// <summary>Advisory lock class ids owned by these providers (two-int form, so they cannot collide with one-bigint locks).</summary>
    public const int SchemaLockClass = 0x4F54_0001;

    public const int StreamNamespaceLockClass = 0x4F54_0002;

    /// <summary>
    /// Runs DDL under a transaction-scoped advisory lock: concurrent CREATE ... IF NOT EXISTS from several silos
    /// can otherwise fail with a unique violation on the catalog.
    /// </summary>
    public static async Task CreateAsync(PostgresDatabase database, string ddl, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenConnectionAsync(cancellationToken);
        await using var transaction = await connection.BeginTransactionAsync(cancellationToken);
        await using (var lockCommand = database.CreateCommand(connection, "SELECT pg_advisory_xact_lock(@class, 0);", transaction))
        {
            lockCommand.Parameters.Add(new NpgsqlParameter<int>("class", SchemaLockClass));
            await lockCommand.ExecuteNonQueryAsync(cancellationToken);
        }

        var schemaDdl = string.Equals(database.Schema, "public", StringComparison.Ordinal)
            ? ddl
            : $"CREATE SCHEMA IF NOT EXISTS {database.Schema};\n{ddl}";
        await using (var command = database.CreateCommand(connection, schemaDdl, transaction))
        {
            await command.ExecuteNonQueryAsync(cancellationToken);
        }

        await transaction.CommitAsync(cancellationToken);
    }
}

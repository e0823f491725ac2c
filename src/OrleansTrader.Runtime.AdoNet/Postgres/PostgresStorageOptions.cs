namespace OrleansTrader.Runtime.AdoNet;

/// <summary>Where a PostgreSQL provider keeps its data.</summary>
public sealed class PostgresStorageOptions
{
    /// <summary>An Npgsql connection string. Keep the password out of source: supply it from the environment or a vault.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The schema holding the tables, created when missing: letters, digits and '_' only.</summary>
    public string Schema { get; set; } = "public";

    /// <summary>Applied to every command.</summary>
    public TimeSpan CommandTimeout { get; set; } = CommandTimeouts.Default;
}

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

    /// <summary>
    /// How long the server keeps a session that sits idle inside a transaction before it ends it (PostgreSQL's
    /// <c>idle_in_transaction_session_timeout</c>, set on every session of the providers). A silo whose network died
    /// without closing the connection leaves its transaction open on the server, and with it the stream namespace's
    /// append lock, until TCP keepalive notices (two hours by default); this bounds that. The providers' own
    /// transactions are never idle longer than a round trip.
    /// </summary>
    public TimeSpan IdleInTransactionTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// A provider's reference to a shared <see cref="SqliteDatabase"/>. Registered instead of the database itself
/// because the container disposes what its factories return, and the database belongs to <see cref="SqliteDatabaseCache"/>.
/// </summary>
internal sealed record SqliteDatabaseHandle(SqliteDatabase Database);

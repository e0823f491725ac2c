using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// A statement of the write connection, prepared once and run through SQLite's own API: bound by parameter index,
/// stepped, reset. Every write of a database runs on the group-commit drainer, one after another, so whatever a statement
/// costs besides SQLite's own work (a command's parameter objects, a name lookup per parameter per run, a data reader)
/// is time that no other write can use. Only the drainer runs these; they are finalized with the write connection.
/// </summary>
/// <remarks>
/// Use: bind every parameter, then <see cref="ExecuteScalar"/> or <see cref="Execute"/> (which reset the statement), or
/// <see cref="Step"/> row by row and <see cref="Reset"/> in a finally: a statement left unreset would keep the group's
/// commit from completing.
/// </remarks>
internal sealed class SqliteWriteStatement : IDisposable
{
    private readonly sqlite3 _db;
    private readonly sqlite3_stmt _statement;
    private readonly Dictionary<string, int> _indexes = new(StringComparer.Ordinal);

    public SqliteWriteStatement(SqliteConnection connection, string sql)
    {
        ArgumentNullException.ThrowIfNull(connection);
        _db = connection.Handle ?? throw new InvalidOperationException("The write connection is not open.");
        var rc = raw.sqlite3_prepare_v2(_db, sql, out _statement);
        if (rc != raw.SQLITE_OK)
        {
            _statement.Dispose();
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }

    public void Bind(string parameter, string value) => Check(raw.sqlite3_bind_text(_statement, IndexOf(parameter), value));

    public void Bind(string parameter, long value) => Check(raw.sqlite3_bind_int64(_statement, IndexOf(parameter), value));

    public void Bind(string parameter, ReadOnlySpan<byte> value) => Check(raw.sqlite3_bind_blob(_statement, IndexOf(parameter), value));

    /// <summary>Runs the statement to its end and resets it: the first column of its first row, or null for no row or a NULL.</summary>
    public long? ExecuteScalar()
    {
        try
        {
            if (!Step())
            {
                return null;
            }

            long? value = raw.sqlite3_column_type(_statement, 0) != raw.SQLITE_NULL ? Int64(0) : null;

            // Step to the end even after the row: a statement outside a transaction commits when it ends, and a commit
            // that fails (a full disk at the WAL append) is reported by that step; a reset before it would drop the error
            // and the write would be reported as made.
            while (Step())
            {
            }

            return value;
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>Runs the statement to its end and resets it; returns the rows it changed.</summary>
    public int Execute()
    {
        try
        {
            while (Step())
            {
            }

            return raw.sqlite3_changes(_db);
        }
        finally
        {
            Reset();
        }
    }

    /// <summary>
    /// The next row: true with a row to read, false at the end. A statement with RETURNING makes all its changes on the
    /// first step (SQLite's rule), so the rows that follow only report them.
    /// </summary>
    public bool Step()
    {
        var rc = raw.sqlite3_step(_statement);
        if (rc == raw.SQLITE_ROW)
        {
            return true;
        }

        if (rc == raw.SQLITE_DONE)
        {
            return false;
        }

        // Read the error from the connection before anything else runs on it.
        var message = raw.sqlite3_errmsg(_db).utf8_to_string();
        throw new SqliteException($"SQLite Error {rc}: '{message}'.", rc, raw.sqlite3_extended_errcode(_db));
    }

    public long Int64(int column) => raw.sqlite3_column_int64(_statement, column);

    /// <summary>Ends a run (a failed step's error is already reported) and drops the bound values.</summary>
    public void Reset()
    {
        raw.sqlite3_reset(_statement);
        raw.sqlite3_clear_bindings(_statement);
    }

    public void Dispose() => _statement.Dispose();

    /// <summary>The index of a named parameter ("@payload"), looked up once per statement.</summary>
    private int IndexOf(string parameter)
    {
        if (!_indexes.TryGetValue(parameter, out var index))
        {
            index = raw.sqlite3_bind_parameter_index(_statement, parameter);
            if (index <= 0)
            {
                throw new ArgumentException($"The statement has no parameter {parameter}.", nameof(parameter));
            }

            _indexes.Add(parameter, index);
        }

        return index;
    }

    private void Check(int rc)
    {
        if (rc != raw.SQLITE_OK)
        {
            SqliteException.ThrowExceptionForRC(rc, _db);
        }
    }
}

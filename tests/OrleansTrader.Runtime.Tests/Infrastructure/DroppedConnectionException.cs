using System.Data.Common;

namespace OrleansTrader.Runtime.Tests.Infrastructure;

/// <summary>
/// A database error as over a connection the server ended (PostgreSQL's 57P01 after pg_terminate_backend) or whose socket
/// broke (transient), or with another SQLSTATE for a failure that is not the connection's.
/// </summary>
internal sealed class DroppedConnectionException(string? sqlState, bool transient = false)
    : DbException("terminating connection due to administrator command")
{
    public override string? SqlState => sqlState;

    public override bool IsTransient => transient;
}

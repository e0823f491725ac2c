namespace OrleansTrader.Grains.Hosting;

/// <summary>Section "Storage": where grain state, reminders and the durable fills log live.</summary>
public sealed class StorageSettings
{
    public const string SectionName = "Storage";

    /// <summary>"sqlite" (default: one file under <see cref="DataDirectory"/>), "postgres" or "memory" (lost on exit).</summary>
    public string Provider { get; set; } = "sqlite";

    /// <summary>PostgreSQL connection string (required for "postgres", refused with the other providers).</summary>
    public string? ConnectionString { get; set; }

    public string DataDirectory { get; set; } = "./data";

    /// <summary>
    /// On PostgreSQL, how long the start waits for a database it cannot reach (a container platform often starts the
    /// database after the app) before it gives up; zero tries once. At most <see cref="OrleansTrader.Runtime.TimerLimits.MaxSpan"/>.
    /// </summary>
    public TimeSpan StartupTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// On PostgreSQL, how long any one command may take, the schema set-up's included: the first start of a version that
    /// adds an index builds it on the existing rows, which on a large log can take longer than the default. The
    /// connection string's "Command Timeout" does not apply (the providers set every command's timeout from this).
    /// </summary>
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// On SQLite, the folder POST /api/backups writes its backups into (another disk or mount); unset, <c>backups</c> in
    /// <see cref="DataDirectory"/>. A relative path is read from the working directory, as <see cref="DataDirectory"/> is.
    /// Created when the first backup is written.
    /// </summary>
    public string? BackupDirectory { get; set; }

    /// <summary>
    /// On SQLite, how many of this silo's backups to keep: after a backup is written, its older ones beyond this number
    /// are deleted. Unset keeps every backup.
    /// </summary>
    public int? BackupsKept { get; set; }
}

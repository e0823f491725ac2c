using System.Data.Common;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Refuses to start on a store whose format record names a newer <see cref="StoreFormat"/> than this build's, before any
/// grain reads or writes it, and otherwise records this build's format and name. Registered after the store's lock (one
/// silo per store) and before the grain runtime and the paper venue, which read the store as they start.
/// </summary>
/// <remarks>
/// On PostgreSQL it also runs <paramref name="beforeTheLock"/>, reading only: a new deployment's silo asks the running one to
/// hand the database over as it takes the lock, so a build checked only after that stopped the running silo and then
/// refused to start, leaving none.
/// </remarks>
internal sealed partial class StoreFormatCheck(
    IGrainStorage storage, string store, TimeProvider time, ILogger<StoreFormatCheck> logger, bool beforeTheLock = false)
    : IHostedService
{
    /// <summary>Where the record is kept: a grain type no grain has, so no activation ever reads or writes it.</summary>
    internal static readonly GrainId RecordId = GrainId.Create("store-format", "store");

    internal const string StateName = "format";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var record = new GrainState<StoreFormatRecord>(new StoreFormatRecord());
        try
        {
            await storage.ReadStateAsync(StateName, RecordId, record, cancellationToken);
        }
        catch (DbException) when (beforeTheLock)
        {
            // Not reachable yet: the lease waits for the database (Storage:StartupTimeout), and the check after it runs.
            return;
        }

        var stored = record.RecordExists ? record.State : null;
        if (stored is not null && stored.Format > StoreFormat.Current)
        {
            throw new InvalidOperationException(
                $"The store ({store}) is in store format {stored.Format}, last started by build {stored.LastBuild ?? "unknown"}" +
                $"{(stored.LastStartedAt is { } at ? $" at {at:u}" : "")}; this build ({StoreFormat.Build}) reads store format " +
                $"{StoreFormat.Current} and older, and would lose or misread what the newer build stored. Start that build or a " +
                "newer one on it, or, to go back to this build, restore the copy of the store taken before the upgrade " +
                "(docs/deployment.md, \"Rolling back\").");
        }

        if (beforeTheLock || (stored is not null && stored.Format == StoreFormat.Current && stored.LastBuild == StoreFormat.Build))
        {
            return;
        }

        if (stored is null || stored.Format < StoreFormat.Current)
        {
            LogFormatRecorded(logger, store, StoreFormat.Current, StoreFormat.Build,
                stored is null ? "none: a new store, or one last started by a build that recorded none" : $"format {stored.Format}");
        }

        record.State = new StoreFormatRecord { Format = StoreFormat.Current, LastBuild = StoreFormat.Build, LastStartedAt = time.GetUtcNow() };
        await storage.WriteStateAsync(StateName, RecordId, record, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 5905, Level = LogLevel.Information,
        Message = "Store {Store}: store format {Format} recorded by build {Build} (previously {PreviousFormat}); builds of an older store format now refuse to start on it (docs/deployment.md, \"Rolling back\")")]
    private static partial void LogFormatRecorded(ILogger logger, string store, int format, string build, string previousFormat);
}

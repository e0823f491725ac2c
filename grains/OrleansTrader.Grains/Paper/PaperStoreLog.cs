using Microsoft.Extensions.Logging;

namespace OrleansTrader.Grains.Paper;

/// <summary>Log lines of the paper venue's grain store.</summary>
internal static partial class PaperStoreLog
{
    [LoggerMessage(EventId = 4271, Level = LogLevel.Debug, Message = "Paper venue archive of account {AccountId}: chunks before {FirstChunk} are past the final-order retention and deleted")]
    public static partial void ChunksPruned(ILogger logger, string accountId, int firstChunk);

    [LoggerMessage(EventId = 4272, Level = LogLevel.Warning, Message = "Could not delete the paper venue archive chunks of account {AccountId} before {FirstChunk}; no query reads them, and the next checkpoint deletes them")]
    public static partial void ChunkDeleteFailed(ILogger logger, Exception exception, string accountId, int firstChunk);

    [LoggerMessage(EventId = 4273, Level = LogLevel.Warning, Message = "Could not write the key record of paper venue archive chunk {Chunk} of account {AccountId}; the archive answers as before, and its index is built from that chunk again after the next restart")]
    public static partial void ChunkKeysWriteFailed(ILogger logger, Exception exception, string accountId, int chunk);
}

using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Tests.Infrastructure;

/// <summary>
/// Counts the paper archive's whole records read from <paramref name="inner"/>: the chunks (<c>chunk-N</c>) and the one-record
/// archive of a build before chunks (<c>venue</c>), each read that found one (a bulk read counts each record it found). A
/// read of a name with no record, as a chunk's write does first for its ETag, costs no decoding and is not counted.
/// </summary>
internal sealed class WholeArchiveReadCountingStorage(IGrainStorage inner) : ForwardingGrainStorage(inner)
{
    private int _wholeReads;

    public int WholeReads => Volatile.Read(ref _wholeReads);

    public override async Task ReadStateAsync<T>(string stateName, GrainId grainId, IGrainState<T> grainState, CancellationToken cancellationToken = default)
    {
        await base.ReadStateAsync(stateName, grainId, grainState, cancellationToken);
        if (grainState.RecordExists && grainId.Type.Value == "paper-venue-archive"
            && (stateName == "venue" || stateName.StartsWith("chunk-", StringComparison.Ordinal)))
        {
            Interlocked.Increment(ref _wholeReads);
        }
    }
}

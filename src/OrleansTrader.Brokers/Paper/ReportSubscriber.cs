using System.Threading.Channels;

namespace OrleansTrader.Brokers.Paper;

/// <summary>
/// One open report stream. Bounded: a reader that falls <c>capacity</c> reports behind is disconnected with
/// <see cref="BrokerErrorKind.Unavailable"/> rather than dropping anything; like any venue disconnect, the account
/// then back-fills with GetExecutionsSinceAsync. Writing never blocks the venue on a slow reader.
/// </summary>
internal sealed class ReportSubscriber(int capacity)
{
    private readonly Channel<ExecutionReport> _channel = Channel.CreateBounded<ExecutionReport>(
        new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });

    public ChannelReader<ExecutionReport> Reader => _channel.Reader;

    /// <summary>False when the reader was too far behind and has been disconnected.</summary>
    public bool TryDeliver(ExecutionReport report)
    {
        if (_channel.Writer.TryWrite(report))
        {
            return true;
        }

        _channel.Writer.TryComplete(new BrokerException(BrokerErrorKind.Unavailable,
            $"The paper venue disconnected this report stream after {capacity} unread reports; back-fill with GetExecutionsSinceAsync and reconnect."));
        return false;
    }

    public void Close() => _channel.Writer.TryComplete();
}

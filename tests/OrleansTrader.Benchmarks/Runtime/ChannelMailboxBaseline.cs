using System.Threading.Channels;

namespace OrleansTrader.Benchmarks.Runtime;

/// <summary>The same ping work through a bare per-key Channel mailbox with one consumer loop each: the floor to compare with.</summary>
internal sealed class ChannelMailboxBaseline : IAsyncDisposable
{
    private readonly Channel<Request>[] _mailboxes;
    private readonly Task[] _consumers;

    public ChannelMailboxBaseline(int keys)
    {
        _mailboxes = new Channel<Request>[keys];
        _consumers = new Task[keys];
        for (var i = 0; i < keys; i++)
        {
            var mailbox = Channel.CreateUnbounded<Request>(new UnboundedChannelOptions { SingleReader = true });
            _mailboxes[i] = mailbox;
            _consumers[i] = Task.Run(() => ConsumeAsync(mailbox.Reader));
        }
    }

    public Task<int> Ping(int key, int value)
    {
        var request = new Request(value);
        _mailboxes[key].Writer.TryWrite(request);
        return request.Completion.Task;
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var mailbox in _mailboxes)
        {
            mailbox.Writer.TryComplete();
        }

        await Task.WhenAll(_consumers);
    }

    private static async Task ConsumeAsync(ChannelReader<Request> reader)
    {
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var request))
            {
                request.Completion.SetResult(request.Value + 1);
            }
        }
    }

    private sealed class Request(int value)
    {
        public int Value { get; } = value;

        public TaskCompletionSource<int> Completion { get; } = new();
    }
}

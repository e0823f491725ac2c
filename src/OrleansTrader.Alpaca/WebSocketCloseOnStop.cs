using System.Net.WebSockets;

namespace OrleansTrader.Alpaca;

/// <summary>
/// Ends a <see cref="ClientWebSocket"/>'s receive loop with a close handshake when the stop token fires. A cancelled
/// receive aborts a ClientWebSocket, so the receive runs on <see cref="ReceiveToken"/> instead, and stopping sends a
/// close: the server answers it and the receive ends, or the receive is aborted after <see cref="CloseTimeout"/>.
/// Dispose it (await using) when the receive loop has ended; that waits for a close in progress.
/// </summary>
internal sealed class WebSocketCloseOnStop : IAsyncDisposable
{
    /// <summary>How long a stop waits for the server to answer the close before the socket is aborted.</summary>
    private static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private readonly ClientWebSocket _socket;
    private readonly SemaphoreSlim? _sendLock;
    private readonly CancellationTokenSource _abortReceive;
    private readonly CancellationTokenRegistration _onStop;
    private Task _closing = Task.CompletedTask;

    /// <param name="sendLock">Held by every other sender on the socket, so the close frame does not interleave with a message.</param>
    public WebSocketCloseOnStop(ClientWebSocket socket, TimeProvider timeProvider, CancellationToken stopToken, SemaphoreSlim? sendLock = null)
    {
        _socket = socket;
        _sendLock = sendLock;
        _abortReceive = new CancellationTokenSource(Timeout.InfiniteTimeSpan, timeProvider);
        _onStop = stopToken.Register(static state => ((WebSocketCloseOnStop)state!).StartClosing(), this);
    }

    /// <summary>The token for the socket's receives: cancelled only when the close cannot be sent or is not answered in time.</summary>
    public CancellationToken ReceiveToken => _abortReceive.Token;

    public async ValueTask DisposeAsync()
    {
        try
        {
            // Disposing the registration waits for a stop callback that is running, so _closing is the close it started.
            _onStop.Dispose();
            await _closing;
        }
        finally
        {
            _abortReceive.Dispose();
        }
    }

    private void StartClosing() => _closing = CloseAsync();

    private async Task CloseAsync()
    {
        _abortReceive.CancelAfter(CloseTimeout);
        try
        {
            if (_sendLock is not null)
            {
                await _sendLock.WaitAsync(_abortReceive.Token);
            }

            try
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "client stopping", _abortReceive.Token);
            }
            finally
            {
                _sendLock?.Release();
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or InvalidOperationException or ObjectDisposedException)
        {
            // The socket is already closing or broken: nothing more to send; the receive ends now.
            _abortReceive.Cancel();
        }
    }
}

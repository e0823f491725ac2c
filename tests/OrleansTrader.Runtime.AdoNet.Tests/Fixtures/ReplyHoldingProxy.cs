using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace OrleansTrader.Runtime.AdoNet.Tests;

/// <summary>
/// A loopback TCP proxy in front of a PostgreSQL server that can hold back the server's reply to one statement:
/// the server has run it (and, outside a transaction block, committed it) while the client still waits, as when the
/// reply is slow to arrive. Every other byte passes through unchanged.
/// </summary>
internal sealed class ReplyHoldingProxy : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _serverHost;
    private readonly int _serverPort;
    private readonly CancellationTokenSource _stop = new();
    private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _sever = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _held = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly List<Task> _pumps = [];
    private byte[]? _marker;
    private readonly Task _accepting;

    public ReplyHoldingProxy(string connectionString)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        _serverHost = builder.Host!;
        _serverPort = builder.Port;
        _listener.Start();
        _accepting = AcceptAsync();
        var port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { Host = "127.0.0.1", Port = port }.ConnectionString;
    }

    /// <summary>The connection string that goes through the proxy.</summary>
    public string ConnectionString { get; }

    /// <summary>Completes once the server's whole reply (up to ReadyForQuery) to the held statement is with the proxy.</summary>
    public Task Held => _held.Task;

    /// <summary>Holds the reply to the next client message that contains <paramref name="sqlText"/>.</summary>
    public void HoldReplyTo(string sqlText) => Volatile.Write(ref _marker, Encoding.UTF8.GetBytes(sqlText));

    /// <summary>Lets the held reply go on to the client.</summary>
    public void Release() => _release.TrySetResult();

    /// <summary>
    /// Closes the held statement's connection on both sides instead, its reply never sent: the client's session ends
    /// after the server has run (and, outside a transaction block, committed) the statement, as when a server, a
    /// failover or a network path ends the session before the answer arrives.
    /// </summary>
    public void Sever() => _sever.TrySetResult();

    public async ValueTask DisposeAsync()
    {
        Release();
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _accepting;
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
        }

        Task[] pumps;
        lock (_pumps)
        {
            pumps = [.. _pumps];
        }

        await Task.WhenAll(pumps);
        _stop.Dispose();
    }

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            var client = await _listener.AcceptTcpClientAsync(_stop.Token);
            var server = new TcpClient();
            await server.ConnectAsync(_serverHost, _serverPort, _stop.Token);
            var holding = new Flag();
            lock (_pumps)
            {
                _pumps.Add(PumpAsync(client, server, toServer: true, holding));
                _pumps.Add(PumpAsync(server, client, toServer: false, holding));
            }
        }
    }

    private async Task PumpAsync(TcpClient from, TcpClient to, bool toServer, Flag holding)
    {
        var buffer = new byte[64 * 1024];
        var heldReply = new List<byte>();
        try
        {
            var source = from.GetStream();
            var target = to.GetStream();
            while (true)
            {
                var read = await source.ReadAsync(buffer, _stop.Token);
                if (read == 0)
                {
                    break;
                }

                if (toServer && Volatile.Read(ref _marker) is { } marker && buffer.AsSpan(0, read).IndexOf(marker) >= 0)
                {
                    // Armed before the message reaches the server, so its reply cannot slip past.
                    Volatile.Write(ref _marker, null);
                    holding.Value = true;
                }
                else if (!toServer && holding.Value)
                {
                    heldReply.AddRange(buffer.AsSpan(0, read));
                    if (EndsWithReadyForQuery(heldReply))
                    {
                        holding.Value = false;
                        _held.TrySetResult();
                        await Task.WhenAny(_release.Task, _sever.Task).WaitAsync(_stop.Token);
                        if (_sever.Task.IsCompleted)
                        {
                            break; // both sockets of this connection close below
                        }

                        await target.WriteAsync(heldReply.ToArray(), _stop.Token);
                        heldReply.Clear();
                    }

                    continue;
                }

                await target.WriteAsync(buffer.AsMemory(0, read), _stop.Token);
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
            // Either side went away (a client that gave up closes its socket): end this direction.
        }
        finally
        {
            from.Dispose();
            to.Dispose();
        }
    }

    /// <summary>ReadyForQuery is 'Z', length 5, status: the last message of every reply.</summary>
    private static bool EndsWithReadyForQuery(List<byte> reply) =>
        reply.Count >= 6 && reply[^6] == (byte)'Z' && reply[^5] == 0 && reply[^4] == 0 && reply[^3] == 0 && reply[^2] == 5;

    private sealed class Flag
    {
        public volatile bool Value;
    }
}

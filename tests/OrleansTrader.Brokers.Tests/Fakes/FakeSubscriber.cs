using System.Net.WebSockets;
using System.Text;
using System.Text.Json.Nodes;

namespace OrleansTrader.Brokers.Tests.Fakes;

/// <summary>One listening websocket at the fake; sends are serialized.</summary>
internal sealed class FakeSubscriber(WebSocket socket, bool binaryFrames)
{
    private readonly SemaphoreSlim _send = new(1, 1);

    public WebSocket Socket { get; } = socket;

    public async Task SendAsync(JsonNode message)
    {
        var bytes = Encoding.UTF8.GetBytes(message.ToJsonString());
        await _send.WaitAsync();
        try
        {
            if (Socket.State == WebSocketState.Open)
            {
                await Socket.SendAsync(bytes, binaryFrames ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, CancellationToken.None);
            }
        }
        catch (WebSocketException)
        {
            // A dropped subscriber simply misses the event, as a real disconnected client would.
            Socket.Abort();
        }
        finally
        {
            _send.Release();
        }
    }
}

using System.Net.Sockets;
using System.Text;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>The answer to a request sent over a raw socket: its status, two headers and its body (unchunked).</summary>
public sealed record RawAnswer(int Status, string? ContentType, string? ContentLength, string Body);

/// <summary>
/// One HTTP/1.1 request written byte for byte over a socket, for what an HttpClient or the test server would change: a
/// target's escapes and dot segments, malformed request lines and headers. Every request asks the server to close, so the
/// answer is read to the end.
/// </summary>
public static class RawHttp
{
    /// <summary>A request without a body, with the host's admin key.</summary>
    public static Task<RawAnswer> SendAsync(GatewayHost host, string method, string target) =>
        SendAsync(host, Encoding.ASCII.GetBytes(
            $"{method} {target} HTTP/1.1\r\nHost: {host.Address!.Authority}\r\nAuthorization: Bearer {host.AdminKey}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"));

    public static async Task<RawAnswer> SendAsync(GatewayHost host, byte[] request)
    {
        var token = TestContext.Current.CancellationToken;
        using var client = new TcpClient();
        await client.ConnectAsync(host.Address!.Host, host.Address.Port, token);
        await using var stream = client.GetStream();
        await stream.WriteAsync(request, token);
        using var reader = new StreamReader(stream, Encoding.UTF8);
        var response = await reader.ReadToEndAsync(token);
        var headerEnd = response.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        var head = response[..headerEnd].Split("\r\n");
        string? Header(string name) => head.Skip(1).Where(h => h.StartsWith(name + ":", StringComparison.OrdinalIgnoreCase))
            .Select(h => h[(name.Length + 1)..].Split(';')[0].Trim()).FirstOrDefault();
        var status = int.Parse(head[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var body = response[(headerEnd + 4)..];
        if (string.Equals(Header("Transfer-Encoding"), "chunked", StringComparison.OrdinalIgnoreCase))
        {
            body = Unchunk(body);
        }

        return new RawAnswer(status, Header("Content-Type"), Header("Content-Length"), body);
    }

    private static string Unchunk(string chunked)
    {
        var body = new StringBuilder();
        var position = 0;
        while (true)
        {
            var lineEnd = chunked.IndexOf("\r\n", position, StringComparison.Ordinal);
            var size = int.Parse(chunked[position..lineEnd], System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
            if (size == 0)
            {
                return body.ToString();
            }

            body.Append(chunked, lineEnd + 2, size);
            position = lineEnd + 2 + size + 2;
        }
    }
}

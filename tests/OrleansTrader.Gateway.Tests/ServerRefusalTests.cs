using System.Text;
using System.Text.Json;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// docs/api.md, "Errors": what the web server (Kestrel) refuses while it parses a request is answered before any of the
/// gateway's middleware runs, so with no body (Kestrel offers no hook to give one); a request it parses, however odd its
/// encoding, reaches the gateway and is refused with a problem. Sent over a real socket, byte for byte: the test server
/// parses nothing.
/// </summary>
public sealed class ServerRefusalTests
{
    private const string Host = "Host: 127.0.0.1\r\nConnection: close\r\n";

    [Fact]
    public async Task RequestsTheServerCannotParse_AreRefusedByIt_WithNoBody_AsDocumented()
    {
        await using var host = await GatewayHost.StartAsync(listen: true);
        var key = $"Authorization: Bearer {host.AdminKey}\r\n";
        var cases = new (string Name, byte[] Request, int Status)[]
        {
            ("a request line over 8 KB", Ascii($"GET /api/accounts/{new string('a', 10_000)} HTTP/1.1\r\n{Host}{key}\r\n"), 414),
            ("headers over 32 KB", Ascii($"GET /api/accounts HTTP/1.1\r\n{Host}{key}X-Big: {new string('a', 33_000)}\r\n\r\n"), 431),
            ("a NUL in the path", Ascii($"GET /api/accounts/a%00b HTTP/1.1\r\n{Host}{key}\r\n"), 400),
            ("a byte above ASCII in the target", [.. Ascii("GET /api/accounts/caf"), 0xC3, 0xA9, .. Ascii($" HTTP/1.1\r\n{Host}{key}\r\n")], 400),
            ("no Host header", Ascii($"GET /api/accounts HTTP/1.1\r\nConnection: close\r\n{key}\r\n"), 400),
            ("a Content-Length that is no number", Ascii($"POST /api/accounts HTTP/1.1\r\n{Host}{key}Content-Length: abc\r\n\r\n"), 400),
            ("a header line without a colon", Ascii($"GET /api/accounts HTTP/1.1\r\n{Host}{key}Bogus\r\n\r\n"), 400),
            ("an HTTP version the server does not speak", Ascii($"GET /api/accounts HTTP/1.2\r\n{Host}{key}\r\n"), 505),
        };

        var failures = new List<string>();
        foreach (var (name, request, status) in cases)
        {
            var answer = await RawHttp.SendAsync(host, request);
            if (answer.Status != status || answer.ContentLength != "0" || answer.ContentType is not null)
            {
                failures.Add($"{name}: {answer.Status}, Content-Type {answer.ContentType}, Content-Length {answer.ContentLength}");
            }
        }

        Assert.True(failures.Count == 0, string.Join('\n', failures));
    }

    [Theory]
    [InlineData("/api/accounts/a%zzb")]
    [InlineData("/api/accounts/a%C3%28")]
    [InlineData("/api/accounts/a%01b")]
    public async Task APathWithBadPercentEncoding_ReachesTheGateway_AndIsAProblem(string target)
    {
        await using var host = await GatewayHost.StartAsync(listen: true);

        var answer = await RawHttp.SendAsync(host, Ascii($"GET {target} HTTP/1.1\r\n{Host}Authorization: Bearer {host.AdminKey}\r\n\r\n"));

        Assert.Equal(400, answer.Status);
        Assert.Equal("application/problem+json", answer.ContentType);
        var problem = JsonDocument.Parse(answer.Body).RootElement;
        Assert.Equal(400, problem.GetProperty("status").GetInt32());
        Assert.True(problem.GetProperty("errors").TryGetProperty("accountId", out _), answer.Body);
        Assert.True(problem.TryGetProperty("correlationId", out _), answer.Body);
    }

    private static byte[] Ascii(string text) => Encoding.ASCII.GetBytes(text);
}

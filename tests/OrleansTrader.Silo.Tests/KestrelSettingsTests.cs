using System.Net;
using System.Net.Sockets;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// ASP.NET's "Kestrel" section: the host reads only its endpoints, so Kestrel__Limits__MaxConcurrentConnections=3 left a
/// silo serving any number of connections. The silo binds it onto the web server, and refuses at start a key the web
/// server has no setting for or a value it refuses. Served by a real Kestrel on a loopback port, since the limits are its.
/// </summary>
public sealed class KestrelSettingsTests
{
    private const string AdminKey = "ot_kestrel-settings-tests-admin-key-0123456789abcdef";

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task MaxConcurrentConnections_IsHonoured_AThirdConnectionIsNotServedWhileTwoAreOpen()
    {
        using var factory = Silo(("Kestrel:Limits:MaxConcurrentConnections", "2"));
        var port = Port(factory);

        using var first = await OpenServedConnectionAsync(port);
        using var second = await OpenServedConnectionAsync(port);

        var answer = await AskAsync(port);
        Assert.True(answer.Length == 0, $"a third connection was served while two were open: '{FirstLine(answer)}'");

        // Once one closes, a connection is served again: the limit is on connections open at once (the server may take a
        // while to see the close on a busy machine: up to 30 s).
        first.Dispose();
        var served = string.Empty;
        for (var attempt = 0; attempt < 600 && served.Length == 0; attempt++)
        {
            served = await AskAsync(port);
            if (served.Length == 0)
            {
                await Task.Delay(50, Ct);
            }
        }

        Assert.StartsWith("HTTP/1.1 200", served, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MaxRequestBodySize_BelowTheGatewaysLimit_IsHonoured()
    {
        using var factory = Silo(("Kestrel:Limits:MaxRequestBodySize", "2048"));
        using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{Port(factory)}") };
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", AdminKey);

        // 4 KiB: within the gateway's own limit (16384), over the web server's.
        using var content = new StringContent("{\"name\":\"" + new string('x', 4096) + "\"}", Encoding.UTF8, "application/json");
        using var response = await client.PostAsync("/api/accounts", content, Ct);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public void TimeoutsAndLimits_AreBoundOntoTheWebServer()
    {
        using var factory = Silo(
            ("Kestrel:Limits:KeepAliveTimeout", "00:00:42"),
            ("Kestrel:Limits:RequestHeadersTimeout", "00:00:07"),
            ("Kestrel:Limits:MaxRequestHeadersTotalSize", "16384"));

        var limits = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits;
        Assert.Equal(TimeSpan.FromSeconds(42), limits.KeepAliveTimeout);
        Assert.Equal(TimeSpan.FromSeconds(7), limits.RequestHeadersTimeout);
        Assert.Equal(16384, limits.MaxRequestHeadersTotalSize);
    }

    /// <summary>
    /// The minimum data rates have no setters: their BytesPerSecond and GracePeriod were bound into nothing, and the web
    /// server kept its 240 bytes/s after 5 s without a word. A key left out keeps the web server's value.
    /// </summary>
    [Fact]
    public void MinimumDataRates_AreBoundOntoTheWebServer()
    {
        using var factory = Silo(
            ("Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond", "100"),
            ("Kestrel:Limits:MinRequestBodyDataRate:GracePeriod", "00:00:10"),
            ("Kestrel:Limits:MinResponseDataRate:BytesPerSecond", "50.5"));

        var limits = factory.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Server.Kestrel.Core.KestrelServerOptions>>().Value.Limits;
        Assert.Equal((100d, TimeSpan.FromSeconds(10)), (limits.MinRequestBodyDataRate?.BytesPerSecond, limits.MinRequestBodyDataRate?.GracePeriod));
        Assert.Equal((50.5d, TimeSpan.FromSeconds(5)), (limits.MinResponseDataRate?.BytesPerSecond, limits.MinResponseDataRate?.GracePeriod));
    }

    /// <summary>
    /// A rate the web server refuses (a negative one, a grace period of its heartbeat's second or less) passed the start:
    /// the binder converts each value but, with no setter to call, never builds the rate that would refuse it.
    /// </summary>
    [Theory]
    [InlineData("Kestrel:Limits:MinRequestBodyDataRate", "BytesPerSecond", "-1", "bytesPerSecond")]
    [InlineData("Kestrel:Limits:MinResponseDataRate", "GracePeriod", "00:00:01", "gracePeriod")]
    public void AMinimumDataRateTheWebServerRefuses_StopsTheStart_NamingIt(string rate, string key, string value, string reason)
    {
        var problems = SiloHostingExtensions.FindUnknownSettings(Configuration(($"{rate}:{key}", value)));

        var problem = Assert.Single(problems);
        Assert.StartsWith($"{rate} is not a rate the web server takes (", problem, StringComparison.Ordinal);
        Assert.Contains($"{key} '{value}'", problem, StringComparison.Ordinal);
        Assert.Contains(reason, problem, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Kestrel:Limits:MaxConcurrentConnection", "2")]
    [InlineData("Kestrel:Limits:MaxConcurrentConnections", "-1")]
    [InlineData("Kestrel:Limits:MaxConcurrentConnections", "two")]
    [InlineData("Kestrel:Limit:MaxConcurrentConnections", "2")]
    [InlineData("Kestrel:Limits:KeepAliveTimeout", "soon")]
    [InlineData("Kestrel:Limits:MinRequestBodyDataRate:BytesPerSecond", "fast")]
    [InlineData("Kestrel:Limits:MinResponseDataRate:BytesPerSec", "100")]
    public void AKeyTheWebServerHasNoSettingFor_OrAValueItRefuses_StopsTheStart_NamingTheKey(string key, string value)
    {
        var problems = SiloHostingExtensions.FindUnknownSettings(Configuration((key, value)));

        var problem = Assert.Single(problems);
        Assert.StartsWith($"{key} is not a setting the web server takes with the value '{value}': ", problem, StringComparison.Ordinal);
    }

    /// <summary>
    /// The refusal quoted the value, which for a misspelt certificate section ("Certificate" for "Certificates") is the
    /// certificate's password: printed in the line the failed start writes, and kept wherever the console is collected.
    /// </summary>
    [Theory]
    [InlineData("Kestrel:Certificate:Default:Password")]
    [InlineData("Kestrel:Certificate:Default:KeyPassword")]
    [InlineData("Kestrel:Endpoint:Https:Certificate:Password")]
    public void ARefusedKeyNamedLikeASecret_IsNamedWithoutItsValue(string key)
    {
        var problems = SiloHostingExtensions.FindUnknownSettings(Configuration((key, "hunter2-tls-passphrase")));

        var problem = Assert.Single(problems);
        Assert.DoesNotContain("hunter2-tls-passphrase", problem, StringComparison.Ordinal);
        Assert.StartsWith($"{key} is not a setting the web server takes (its value is not shown: the name says it is a secret): ", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void MaxRequestBodySize_AboveTheGatewaysLimit_StopsTheStart_NamingBoth()
    {
        Assert.Equal(
            ["Kestrel:Limits:MaxRequestBodySize (1048576) is above Gateway:MaxRequestBodyBytes (16384), which every API request's body is held to: "
                + "raise Gateway:MaxRequestBodyBytes instead (at most 1048576)."],
            SiloHostingExtensions.FindUnknownSettings(Configuration(("Kestrel:Limits:MaxRequestBodySize", "1048576"))));
        Assert.Empty(SiloHostingExtensions.FindUnknownSettings(Configuration(
            ("Kestrel:Limits:MaxRequestBodySize", "1048576"), ("Gateway:MaxRequestBodyBytes", "1048576"))));
    }

    [Fact]
    public void TheWebServersOwnEndpointSettings_AreLeftToIt()
    {
        Assert.Empty(SiloHostingExtensions.FindUnknownSettings(Configuration(
            ("Kestrel:Endpoints:Http:Url", "http://127.0.0.1:5181"),
            ("Kestrel:EndpointDefaults:Protocols", "Http1"),
            ("Kestrel:Limits:MaxConcurrentConnections", "100"),
            ("Kestrel:Limits:Http2:MaxStreamsPerConnection", "50"),
            ("Kestrel:AddServerHeader", "false"))));
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] settings) =>
        new ConfigurationBuilder().AddInMemoryCollection(settings.Select(s => new KeyValuePair<string, string?>(s.Key, s.Value))).Build();

    /// <summary>The silo on a real Kestrel at a free loopback port, with <paramref name="settings"/>.</summary>
    private static WebApplicationFactory<Program> Silo(params (string Key, string Value)[] settings)
    {
        var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("Storage:Provider", "memory")
                .UseSetting("Demo:Enabled", "false")
                .UseSetting("Feed:Kind", "none")
                .UseSetting("urls", "http://127.0.0.1:0")
                .UseSetting("Gateway:BootstrapAdminKey", AdminKey);
            foreach (var (key, value) in settings)
            {
                b.UseSetting(key, value);
            }
        });
        factory.UseKestrel();
        factory.StartServer();
        return factory;
    }

    private static int Port(WebApplicationFactory<Program> factory) =>
        new Uri(Assert.Single(Assert.IsType<IServerAddressesFeature>(factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>(), exactMatch: false).Addresses)).Port;

    /// <summary>A connection kept open after its first request was answered.</summary>
    private static async Task<TcpClient> OpenServedConnectionAsync(int port)
    {
        var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        var answer = await RequestAsync(client);
        Assert.StartsWith("HTTP/1.1 200", answer, StringComparison.Ordinal);
        return client;
    }

    /// <summary>A new connection's answer to a health probe: empty when the server closed it without one.</summary>
    private static async Task<string> AskAsync(int port)
    {
        using var client = new TcpClient();
        await client.ConnectAsync(IPAddress.Loopback, port, Ct);
        try
        {
            return await RequestAsync(client);
        }
        catch (IOException)
        {
            // Reset by the server: not served either.
            return string.Empty;
        }
    }

    /// <summary>Sends GET /health/live and reads the answer's head; empty if the connection closes first.</summary>
    private static async Task<string> RequestAsync(TcpClient client)
    {
        var stream = client.GetStream();
        await stream.WriteAsync("GET /health/live HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"u8.ToArray(), Ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        var received = new StringBuilder();
        var buffer = new byte[4096];
        while (!received.ToString().Contains("\r\n\r\n", StringComparison.Ordinal))
        {
            var read = await stream.ReadAsync(buffer, timeout.Token);
            if (read == 0)
            {
                return string.Empty;
            }

            received.Append(Encoding.ASCII.GetString(buffer, 0, read));
        }

        return received.ToString();
    }

    private static string FirstLine(string answer) => answer.Split("\r\n")[0];
}

using System.Collections.Concurrent;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace OrleansTrader.MarketData.Tests.Support;

/// <summary>An in-process stand-in for Alpaca's data REST API on 127.0.0.1; each request is answered by <see cref="Respond"/>.</summary>
internal sealed class FakeAlpacaRestServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeAlpacaRestServer(WebApplication app) => _app = app;

    public Func<HttpContext, int, Task> Respond { get; set; } = (context, _) =>
    {
        context.Response.StatusCode = 404;
        return Task.CompletedTask;
    };

    public ConcurrentQueue<(long Timestamp, IReadOnlyDictionary<string, string> Headers, string Query, string Path)> Requests { get; } = new();

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<FakeAlpacaRestServer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        var app = builder.Build();
        var server = new FakeAlpacaRestServer(app);
        var count = 0;
        app.Run(async context =>
        {
            var n = Interlocked.Increment(ref count);
            var headers = context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            server.Requests.Enqueue((TimeProvider.System.GetTimestamp(), headers, context.Request.QueryString.Value ?? string.Empty, context.Request.Path.Value ?? string.Empty));
            await server.Respond(context, n);
        });
        await app.StartAsync();
        server.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return server;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

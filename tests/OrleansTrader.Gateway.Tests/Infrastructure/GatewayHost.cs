using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Market;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Gateway.Tests.Infrastructure;

/// <summary>
/// The embedded default's wiring in one process: a silo with the trading grains (memory or SQLite storage), the gateway's
/// middleware and routes, and the silo-style health endpoints, behind a TestServer.
/// </summary>
public sealed class GatewayHost : IAsyncDisposable
{
    private readonly WebApplication _app;

    // Every request the helpers send goes under the host's path base.
    private readonly string _pathBase;

    private GatewayHost(WebApplication app, string? adminKey, Uri? address, string? pathBase)
    {
        _app = app;
        _pathBase = pathBase ?? string.Empty;
        AdminKey = adminKey;
        Address = address;
        Client = address is null ? app.GetTestClient() : new HttpClient { BaseAddress = address };
    }

    /// <summary>Where the host listens on loopback when started with <c>listen: true</c> (a browser needs a real port); null behind the TestServer.</summary>
    public Uri? Address { get; }

    public string? AdminKey { get; }

    public HttpClient Client { get; }

    public IServiceProvider Services => _app.Services;

    public IGrainFactory Grains => _app.Services.GetRequiredService<IGrainFactory>();

    public CorrelationRecorder Correlations => _app.Services.GetRequiredService<CorrelationRecorder>();

    public static JsonSerializerOptions Json { get; } = new(JsonSerializerDefaults.Web);

    public static async Task<GatewayHost> StartAsync(
        IDictionary<string, string?>? settings = null, string? sqlitePath = null, Action<IServiceCollection>? services = null, bool configureAdminKey = true,
        bool listen = false, string? pathBase = null, Action<ISiloBuilder>? configureSilo = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        if (listen)
        {
            builder.WebHost.UseUrls("http://127.0.0.1:0");
        }
        else
        {
            builder.WebHost.UseTestServer();
        }

        builder.Logging.ClearProviders();
        var adminKey = configureAdminKey ? ApiKeyHasher.Generate() : null;
        var config = new Dictionary<string, string?>
        {
            ["Gateway:RateLimits:PermitsPerWindow"] = "100000",
            ["Gateway:RateLimits:AnonymousPermitsPerWindow"] = "100000",
            ["Gateway:RateLimits:OrderPermitsPerWindow"] = "100000",
            ["Gateway:Events:PollInterval"] = "00:00:00.200",
            ["Gateway:Events:HeartbeatInterval"] = "00:00:01",
        };
        if (adminKey is not null)
        {
            config["Gateway:BootstrapAdminKey"] = adminKey;
        }

        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        builder.Configuration.AddInMemoryCollection(config);
        var recorder = new CorrelationRecorder();
        builder.Services.AddSingleton(recorder);
        services?.Invoke(builder.Services);

        builder.UseOrleansTraderSilo(silo =>
        {
            if (sqlitePath is not null)
            {
                silo.AddSqliteGrainStorage(GrainStorageNames.Default, o => o.DataSource = sqlitePath);
                silo.AddSqliteStreamLog("durable-log", o => o.DataSource = sqlitePath);
                silo.AddDurableStreams(StreamNames.DurableProvider, sp => sp.GetRequiredKeyedService<IDurableStreamLog>("durable-log"), Durable);
                silo.UseSqliteReminderService(o => o.DataSource = sqlitePath);
            }
            else
            {
                var log = new MemoryDurableStreamLog();
                silo.AddMemoryGrainStorageAsDefault();
                silo.AddDurableStreams(StreamNames.DurableProvider, _ => log, Durable);
                silo.UseInMemoryReminderService();
            }

            silo.AddMemoryStreams(StreamNames.MemoryProvider);
            silo.AddTradingGrains();
            silo.Services.AddSingleton<IIncomingGrainCallFilter>(recorder);
            configureSilo?.Invoke(silo);
        });
        builder.Services.AddHealthChecks();
        builder.AddTradingGateway();
        var app = builder.Build();
        if (pathBase is not null)
        {
            app.UsePathBase(pathBase);

            // As behind a proxy that forwards only the base: a request outside it finds nothing.
            app.Use((context, next) =>
            {
                if (!context.Request.PathBase.HasValue)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    return Task.CompletedTask;
                }

                return next(context);
            });

            // Routing must see the path without the base; without this call it would run first, on the whole path.
            app.UseRouting();
        }

        app.UseTradingGateway();
        app.MapHealthChecks("/health/live");
        app.MapHealthChecks("/health/ready");
        app.MapTradingApi();
        await app.StartAsync(TestContext.Current.CancellationToken);
        return new GatewayHost(app, adminKey, listen ? new Uri(app.Urls.First()) : null, pathBase);
    }

    public static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..Math.Min(prefix.Length + 13, 64)];

    public HttpRequestMessage Request(HttpMethod method, string path, string? key, object? body = null)
    {
        var request = new HttpRequestMessage(method, _pathBase + path);
        if (key is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", key);
        }

        if (body is string raw)
        {
            request.Content = new StringContent(raw, System.Text.Encoding.UTF8, "application/json");
        }
        else if (body is not null)
        {
            request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        }

        return request;
    }

    public async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string? key, object? body = null) =>
        await Client.SendAsync(Request(method, path, key, body), TestContext.Current.CancellationToken);

    public async Task<JsonElement> SendJsonAsync(HttpMethod method, string path, string? key, object? body, System.Net.HttpStatusCode expected)
    {
        using var response = await SendAsync(method, path, key, body);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == expected, $"{method} {path}: expected {(int)expected}, got {(int)response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone();
    }

    /// <summary>Opens an account through the API with the admin key.</summary>
    public async Task<string> CreateAccountAsync(decimal cash = 100_000m, string? accountId = null)
    {
        var id = accountId ?? NewId("acct");
        await SendJsonAsync(HttpMethod.Post, "/api/accounts", AdminKey, new { accountId = id, name = "Test " + id, initialCash = cash, currency = "USD", broker = "paper" },
            System.Net.HttpStatusCode.Created);
        return id;
    }

    /// <summary>Issues a key through the API with the admin key and returns the plain key and its id.</summary>
    public async Task<(string Key, string KeyId)> IssueKeyAsync(string[] roles, string[] accounts)
    {
        var issued = await SendJsonAsync(HttpMethod.Post, "/api/keys", AdminKey, new { name = "test key", roles, accounts }, System.Net.HttpStatusCode.Created);
        return (issued.GetProperty("key").GetString()!, issued.GetProperty("keyId").GetString()!);
    }

    /// <summary>Market data comes from a feed, not from the API: the test plays the feed.</summary>
    public async Task QuoteAsync(string symbol, decimal bid, decimal ask)
    {
        var now = _app.Services.GetRequiredService<TimeProvider>().GetUtcNow();
        var result = await Grains.GetGrain<ISymbolGrain>(symbol).IngestAsync(new TickBatch
        {
            Quotes = [new QuoteTick(symbol, now, bid, 1_000_000m, ask, 1_000_000m)],
            Trades = [new TradeTick(symbol, now, (bid + ask) / 2m, 100m)],
        });
        Assert.True(result.Accepted >= 1);
    }

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }

    private static void Durable(DurableStreamOptions options)
    {
        options.RetryDelay = TimeSpan.FromMilliseconds(20);
        options.PollInterval = TimeSpan.FromMilliseconds(100);
    }
}

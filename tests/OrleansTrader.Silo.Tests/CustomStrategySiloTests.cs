using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Hosting;

namespace OrleansTrader.Silo.Tests;

/// <summary>A strategy kind registered in the silo's services is created, listed and refused through the HTTP API like a built-in one.</summary>
public sealed class CustomStrategySiloTests : IDisposable
{
    private const string AdminKey = "custom-strategy-test-admin-key-0123456789";

    private static readonly StrategyDefinition Idle = new()
    {
        Kind = "idle-watcher",
        ParameterNames = ["window"],
        MaxSymbols = 3,
        StateType = typeof(IdleState),
        Create = setup => new IdleStrategy(setup.Int("window", 5)),
    };

    private readonly SiloDataDirectory _data = new("custom");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _data.Dispose();

    [Fact]
    public async Task ARegisteredKind_IsListedAndCreatedThroughTheApi_AndNamedWhenAKindIsUnknown()
    {
        using var factory = Silo(Idle);
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);
        var opened = await client.PostAsJsonAsync("/api/accounts", new { accountId = "watcher", name = "Watcher", initialCash = 1000, currency = "USD", broker = "paper" }, Ct);
        Assert.Equal(HttpStatusCode.Created, opened.StatusCode);

        var kinds = (await client.GetFromJsonAsync<JsonElement>("/api/strategy-kinds", Ct)).EnumerateArray().ToList();
        Assert.Equal(["sma-crossover", "rsi-mean-reversion", "bollinger-breakout", "idle-watcher"], kinds.Select(k => k.GetProperty("kind").GetString()));
        var idle = kinds[^1];
        Assert.False(idle.GetProperty("builtIn").GetBoolean());
        Assert.Equal(3, idle.GetProperty("maxSymbols").GetInt32());
        Assert.Equal(["window"], idle.GetProperty("parameters").EnumerateArray().Select(p => p.GetString()));
        Assert.True(kinds[0].GetProperty("builtIn").GetBoolean());
        Assert.Equal(["quantity", "fastPeriod", "slowPeriod", "allowShort", "trailingStopPercent"], kinds[0].GetProperty("parameters").EnumerateArray().Select(p => p.GetString()));

        var created = await client.PostAsJsonAsync("/api/accounts/watcher/strategies",
            new { strategyId = "w1", kind = "idle-watcher", symbols = new[] { "SPY", "QQQ" }, parameters = new Dictionary<string, string> { ["window"] = "7" } }, Ct);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var listed = await client.GetFromJsonAsync<JsonElement>("/api/accounts/watcher/strategies", Ct);
        var strategy = Assert.Single(listed.EnumerateArray());
        Assert.Equal("idle-watcher", strategy.GetProperty("kind").GetString());
        Assert.Equal(["SPY", "QQQ"], strategy.GetProperty("symbols").EnumerateArray().Select(s => s.GetString()));

        var badValue = await client.PostAsJsonAsync("/api/accounts/watcher/strategies",
            new { strategyId = "w2", kind = "idle-watcher", symbols = new[] { "SPY" }, parameters = new Dictionary<string, string> { ["window"] = "soon" } }, Ct);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, badValue.StatusCode);
        Assert.Contains("window", await badValue.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);

        var unknown = await client.PostAsJsonAsync("/api/accounts/watcher/strategies",
            new { strategyId = "w3", kind = "momentum", symbols = new[] { "SPY" } }, Ct);
        Assert.False(unknown.IsSuccessStatusCode);
        Assert.Contains("idle-watcher", await unknown.Content.ReadAsStringAsync(Ct), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AKindThatAllowsMoreSymbolsThanTheApiTakes_IsListedWithWhatTheApiTakes()
    {
        // docs/strategies.md: MaxSymbols is how many a strategy may trade, the API taking at most 20. Listed as 50, a
        // client that sent what the list said got 400 "1 to 20 symbols".
        using var factory = Silo(Idle with { MaxSymbols = 50 });
        using var client = factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", AdminKey);

        var kinds = (await client.GetFromJsonAsync<JsonElement>("/api/strategy-kinds", Ct)).EnumerateArray().ToList();

        Assert.Equal(20, kinds.Single(k => k.GetProperty("kind").GetString() == "idle-watcher").GetProperty("maxSymbols").GetInt32());
    }

    [Fact]
    public void ABadDefinition_IsRefusedWhereItIsAdded_WithTheReason()
    {
        var services = new ServiceCollection();
        var refused = Assert.Throws<ArgumentException>(() => services.AddStrategy(Idle with { Kind = StrategyKinds.SmaCrossover }));
        Assert.Contains("built in", refused.Message, StringComparison.Ordinal);
        Assert.Empty(services);
    }

    [Fact]
    public void ABadDefinition_StopsTheSiloAtStartup_WithTheReason()
    {
        using var factory = Silo(Idle with { Kind = StrategyKinds.SmaCrossover });
        var refused = Assert.ThrowsAny<Exception>(() => factory.CreateClient());
        Assert.Contains("built in", refused.ToString(), StringComparison.Ordinal);
    }

    private WebApplicationFactory<Program> Silo(StrategyDefinition definition) => new WebApplicationFactory<Program>().WithWebHostBuilder(b => b
        .UseSetting("Storage:DataDirectory", _data.Path)
        .UseSetting("Demo:Enabled", "false")
        .UseSetting("Feed:Kind", "none")
        .UseSetting("Gateway:BootstrapAdminKey", AdminKey)
        .ConfigureTestServices(services => services.AddStrategy(definition)));

    private sealed record IdleState : StrategyState
    {
        public int Bars { get; init; }
    }

    /// <summary>Counts bars and never trades: enough to show the silo hosts a kind it was given.</summary>
    private sealed class IdleStrategy(int window) : StrategyBase
    {
        private int _bars;

        public override string Kind => "idle-watcher";

        public int Window { get; } = window;

        public override void OnBar(Bar bar) => _bars++;

        public override StrategyState GetState() => new IdleState { Bars = _bars };

        public override void Restore(StrategyState state) => _bars = ((IdleState)state).Bars;
    }
}

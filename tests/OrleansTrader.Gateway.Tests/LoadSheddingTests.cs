using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// Past Gateway:LoadShedding:MaxConcurrentRequests requests in progress and QueueLimit waiting, the gateway refuses at
/// once with 503 OVERLOADED and Retry-After, instead of letting a flood queue until everyone's calls time out; health
/// probes and the routes that reduce risk are served all the same.
/// </summary>
public sealed class LoadSheddingTests
{
    private const int MaxConcurrent = 2;
    private const int Queue = 1;

    [Fact]
    public async Task Requests_BeyondTheConcurrencyLimitAndQueue_Get503OverloadedAtOnce_WhileProbesCancelsAndTheKillSwitchAreServed()
    {
        using var gate = HeldGrainCalls.PositionReads();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:LoadShedding:MaxConcurrentRequests"] = MaxConcurrent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:LoadShedding:QueueLimit"] = Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:LoadShedding:QueueTimeout"] = "00:05:00",
            },
            configureSilo: silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(gate));
        var ct = TestContext.Current.CancellationToken;
        var accounts = new List<string>();
        for (var i = 0; i < MaxConcurrent + Queue + 1; i++)
        {
            accounts.Add(await host.CreateAccountAsync());
        }

        // Each held request reads another account's positions, so no one account's mailbox orders them.
        gate.Hold();
        var held = Enumerable.Range(0, MaxConcurrent)
            .Select(i => host.SendAsync(HttpMethod.Get, $"/api/accounts/{accounts[i]}/positions", host.AdminKey)).ToList();
        await gate.WaitForHeldAsync(MaxConcurrent, ct);
        var slots = host.Services.GetRequiredService<Diagnostics.RequestSlots>();
        var queued = host.SendAsync(HttpMethod.Get, $"/api/accounts/{accounts[MaxConcurrent]}/positions", host.AdminKey);
        // Until the third request waits for a place (or, were nothing limiting, reaches its account).
        while (slots.Queued < Queue && gate.Held == MaxConcurrent)
        {
            await Task.Delay(10, ct);
        }

        var sent = host.SendAsync(HttpMethod.Get, $"/api/accounts/{accounts[^1]}/positions", host.AdminKey);
        Assert.True(
            await Task.WhenAny(sent, Task.Delay(TimeSpan.FromSeconds(10), ct)) == sent,
            $"no answer within 10 s: the request was let through, not refused ({gate.Held} position reads held for {MaxConcurrent} places)");
        using (var refused = await sent)
        {
            var text = await refused.Content.ReadAsStringAsync(ct);
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"expected 503 once {MaxConcurrent} requests run and {Queue} waits, got {(int)refused.StatusCode}: {text}");
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            var problem = JsonDocument.Parse(text).RootElement;
            Assert.Equal("OVERLOADED", problem.GetProperty("reason").GetString());
            Assert.Equal(503, problem.GetProperty("status").GetInt32());
            Assert.False(string.IsNullOrEmpty(problem.GetProperty("correlationId").GetString()));
        }

        // Neither the queued request nor the refused one reached its account.
        Assert.Equal(MaxConcurrent, gate.Held);
        using (var live = await host.SendAsync(HttpMethod.Get, "/health/live", key: null))
        {
            Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        }

        using (var metrics = await host.SendAsync(HttpMethod.Get, "/metrics", key: null))
        {
            var text = await metrics.Content.ReadAsStringAsync(ct);
            Assert.Contains("orleanstrader_gateway_requests_shed_total{reason=\"queue_full\"} 1", text, StringComparison.Ordinal);
            Assert.Contains($"\norleanstrader_gateway_requests_in_flight {MaxConcurrent}\n", text, StringComparison.Ordinal);
            Assert.Contains($"\norleanstrader_gateway_requests_queued {Queue}\n", text, StringComparison.Ordinal);
        }

        // Risk-reducing routes pass by the limit: a cancel (of an order the account does not have) and the kill switch.
        using (var cancel = await host.SendAsync(HttpMethod.Delete, $"/api/accounts/{accounts[^1]}/orders/O000000042", host.AdminKey))
        {
            Assert.Equal(HttpStatusCode.NotFound, cancel.StatusCode);
        }

        await host.SendJsonAsync(HttpMethod.Post, "/api/trading/halt", host.AdminKey, new { reason = "flood" }, HttpStatusCode.OK);

        gate.Release();
        foreach (var response in await Task.WhenAll([.. held, queued]))
        {
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            response.Dispose();
        }

        // The places are free again.
        using var after = await host.SendAsync(HttpMethod.Get, $"/api/accounts/{accounts[^1]}/positions", host.AdminKey);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    [Fact]
    public async Task ARequestWaitingLongerThanTheQueueTimeout_Gets503Overloaded_AndIsCountedAsATimeout()
    {
        using var gate = HeldGrainCalls.PositionReads();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:LoadShedding:MaxConcurrentRequests"] = "1",
                ["Gateway:LoadShedding:QueueLimit"] = "10",
                ["Gateway:LoadShedding:QueueTimeout"] = "00:00:00.200",
            },
            configureSilo: silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(gate));
        var ct = TestContext.Current.CancellationToken;
        var account = await host.CreateAccountAsync();
        gate.Hold();
        var held = host.SendAsync(HttpMethod.Get, $"/api/accounts/{account}/positions", host.AdminKey);
        await gate.WaitForHeldAsync(1, ct);

        // The place stays taken until released: the waiting request runs out of its 200 ms, not of the test's patience.
        var sent = host.SendAsync(HttpMethod.Get, "/api/accounts", host.AdminKey);
        Assert.True(await Task.WhenAny(sent, Task.Delay(TimeSpan.FromSeconds(10), ct)) == sent, "no answer within 10 s of a 200 ms queue timeout");
        using (var refused = await sent)
        {
            Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
            Assert.Equal("OVERLOADED", JsonDocument.Parse(await refused.Content.ReadAsStringAsync(ct)).RootElement.GetProperty("reason").GetString());
        }

        using (var metrics = await host.SendAsync(HttpMethod.Get, "/metrics", key: null))
        {
            Assert.Contains("orleanstrader_gateway_requests_shed_total{reason=\"queue_timeout\"} 1", await metrics.Content.ReadAsStringAsync(ct), StringComparison.Ordinal);
        }

        gate.Release();
        using var answered = await held;
        Assert.Equal(HttpStatusCode.OK, answered.StatusCode);
    }

    [Fact]
    public async Task KeyLookups_BeyondTheirPlacesAndQueue_Get503OverloadedAtOnce_OnExemptRoutesToo_WhileKnownAndMissingKeysAreAnswered()
    {
        using var gate = HeldGrainCalls.KeyLookups();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:LoadShedding:MaxConcurrentKeyLookups"] = MaxConcurrent.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:LoadShedding:QueueLimit"] = Queue.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:LoadShedding:QueueTimeout"] = "00:05:00",
            },
            configureSilo: silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(gate));
        var ct = TestContext.Current.CancellationToken;

        // The admin key is looked up (and cached) here, before the lookups are held.
        var account = await host.CreateAccountAsync();
        var cancel = $"/api/accounts/{account}/orders/O000000042";
        static string MadeUpKey() => "made-up-" + Guid.NewGuid().ToString("N");

        // A cancel passes by the load shedding, so only the lookup's own bound holds the flood of made-up keys back.
        gate.Hold();
        var held = Enumerable.Range(0, MaxConcurrent).Select(_ => host.SendAsync(HttpMethod.Delete, cancel, MadeUpKey())).ToList();
        await gate.WaitForHeldAsync(MaxConcurrent, ct);
        var lookups = host.Services.GetRequiredService<Security.KeyLookupSlots>();
        var queued = host.SendAsync(HttpMethod.Delete, cancel, MadeUpKey());
        while (lookups.Queued < Queue && gate.Held == MaxConcurrent)
        {
            await Task.Delay(10, ct);
        }

        var sent = host.SendAsync(HttpMethod.Delete, cancel, MadeUpKey());
        Assert.True(
            await Task.WhenAny(sent, Task.Delay(TimeSpan.FromSeconds(10), ct)) == sent,
            $"no answer within 10 s: the made-up key was looked up, not refused ({gate.Held} key lookups held for {MaxConcurrent} places)");
        using (var refused = await sent)
        {
            var text = await refused.Content.ReadAsStringAsync(ct);
            Assert.True(refused.StatusCode == HttpStatusCode.ServiceUnavailable, $"expected 503 once {MaxConcurrent} lookups run and {Queue} waits, got {(int)refused.StatusCode}: {text}");
            Assert.Equal(TimeSpan.FromSeconds(1), refused.Headers.RetryAfter?.Delta);
            Assert.Equal("OVERLOADED", JsonDocument.Parse(text).RootElement.GetProperty("reason").GetString());
        }

        Assert.Equal(MaxConcurrent, gate.Held);

        // What needs no lookup is answered all the same: a cached key's cancel, a request with no key, a probe.
        using (var known = await host.SendAsync(HttpMethod.Delete, cancel, host.AdminKey))
        {
            Assert.Equal(HttpStatusCode.NotFound, known.StatusCode);
        }

        using (var keyless = await host.SendAsync(HttpMethod.Delete, cancel, key: null))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, keyless.StatusCode);
        }

        using (var probe = await host.SendAsync(HttpMethod.Get, "/health/live", MadeUpKey()))
        {
            Assert.Equal(HttpStatusCode.OK, probe.StatusCode);
        }

        using (var metrics = await host.SendAsync(HttpMethod.Get, "/metrics", key: null))
        {
            var text = await metrics.Content.ReadAsStringAsync(ct);
            Assert.Contains("orleanstrader_gateway_requests_shed_total{reason=\"key_lookup_queue_full\"} 1", text, StringComparison.Ordinal);
        }

        gate.Release();
        foreach (var response in await Task.WhenAll([.. held, queued]))
        {
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            response.Dispose();
        }
    }

    [Fact]
    public async Task MadeUpKeys_FromOneAddress_TakeNoMoreLookupsThanItsFailureBudget_SoAKeyFromAnotherAddressIsStillLookedUpAndServed()
    {
        const int Places = 2;
        const int Waiting = 2;
        const int Budget = 3;
        const int Flood = 8;
        using var gate = HeldGrainCalls.KeyLookups();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:LoadShedding:MaxConcurrentKeyLookups"] = Places.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:LoadShedding:QueueLimit"] = Waiting.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:LoadShedding:QueueTimeout"] = "00:05:00",
                ["Gateway:RateLimits:FailedKeyLookupsPerWindow"] = Budget.ToString(System.Globalization.CultureInfo.InvariantCulture),
                ["Gateway:RateLimits:Window"] = "00:05:00",
            },
            services: s => s.AddSingleton<IStartupFilter, ClientAddressFromHeader>(),
            configureSilo: silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(gate));
        var ct = TestContext.Current.CancellationToken;

        // Issued (through the admin key, looked up and cached here) before the lookups are held; not cached itself.
        var (realKey, _) = await host.IssueKeyAsync(["trader"], ["*"]);
        var lookups = host.Services.GetRequiredService<Security.KeyLookupSlots>();

        gate.Hold();
        var flood = Enumerable.Range(0, Flood).Select(_ => SendFromAsync(host, Security.ApiKeyHasher.Generate(), "203.0.113.7")).ToList();
        await gate.WaitForHeldAsync(Places, ct);
        // Until each of the flood's requests holds a lookup place, waits for one, or has its answer.
        while (gate.Held + lookups.Queued + flood.Count(r => r.IsCompleted) < Flood)
        {
            await Task.Delay(10, ct);
        }

        // Until the real key's lookup waits for a place too (or, its queue full of made-up keys, it is refused).
        var real = SendFromAsync(host, realKey, "198.51.100.9");
        while (lookups.Queued < Waiting && !real.IsCompleted)
        {
            await Task.Delay(10, ct);
        }

        gate.Release();
        using (var served = await real)
        {
            var text = await served.Content.ReadAsStringAsync(ct);
            Assert.True(served.StatusCode == HttpStatusCode.OK, $"expected the other address's key to be looked up and served, got {(int)served.StatusCode}: {text}");
        }

        var statuses = new List<HttpStatusCode>();
        foreach (var response in await Task.WhenAll(flood))
        {
            statuses.Add(response.StatusCode);
            response.Dispose();
        }

        // The budget's worth looked up (and failed); the rest refused before a lookup, none shed for want of a place.
        var flooded = string.Join(", ", statuses.Order().Select(s => (int)s));
        Assert.True(
            statuses.Count(s => s == HttpStatusCode.Unauthorized) == Budget && statuses.Count(s => s == HttpStatusCode.TooManyRequests) == Flood - Budget,
            $"expected {Budget} made-up keys looked up (401) and {Flood - Budget} refused unlooked-up (429), got {flooded}");
    }

    [Fact]
    public async Task ABurstWithOneKeyNotYetCached_IsAnsweredByOneLookup_AndNoneIsRefused()
    {
        // A client's pool firing at once after a gateway restart: each request took a lookup place and a share of its
        // address's lookup budget, so a burst larger than the budget was answered 429 with a valid key.
        const int Burst = 12;
        using var gate = HeldGrainCalls.KeyLookups();
        var addresses = new ClientAddressFromHeader();
        await using var host = await GatewayHost.StartAsync(
            new Dictionary<string, string?>
            {
                ["Gateway:LoadShedding:MaxConcurrentKeyLookups"] = "2",
                ["Gateway:LoadShedding:QueueLimit"] = "2",
                ["Gateway:RateLimits:FailedKeyLookupsPerWindow"] = "3",
            },
            services: s => s.AddSingleton<IStartupFilter>(addresses),
            configureSilo: silo => silo.Services.AddSingleton<IIncomingGrainCallFilter>(gate));
        var ct = TestContext.Current.CancellationToken;
        var (key, _) = await host.IssueKeyAsync(["trader"], ["*"]);

        gate.Hold();
        var arrivedBefore = addresses.Arrived;
        var burst = Enumerable.Range(0, Burst).Select(_ => SendFromAsync(host, key, "203.0.113.7")).ToList();
        await gate.WaitForHeldAsync(1, ct);
        while (addresses.Arrived - arrivedBefore < Burst)
        {
            await Task.Delay(10, ct);
        }

        // Past the gateway's first middleware; authentication follows without waiting on anything but the lookup.
        await Task.Delay(200, ct);
        var lookupsHeld = gate.Held;
        gate.Release();

        var statuses = new List<HttpStatusCode>();
        foreach (var response in await Task.WhenAll(burst))
        {
            statuses.Add(response.StatusCode);
            response.Dispose();
        }

        Assert.True(statuses.All(s => s == HttpStatusCode.OK), $"expected all {Burst} served, got {string.Join(", ", statuses.Select(s => (int)s))}");
        Assert.Equal(1, lookupsHeld);
    }

    private static async Task<HttpResponseMessage> SendFromAsync(GatewayHost host, string key, string address)
    {
        using var request = host.Request(HttpMethod.Get, "/api/accounts", key);
        request.Headers.Add(ClientAddressFromHeader.Header, address);
        return await host.Client.SendAsync(request, TestContext.Current.CancellationToken);
    }

    [Theory]
    [InlineData(0, 0, "00:00:01", "Gateway:LoadShedding:MaxConcurrentRequests must be between 1 and 100000 (got 0).")]
    [InlineData(1, -1, "00:00:01", "Gateway:LoadShedding:QueueLimit must be between 0 and 100000 (got -1).")]
    [InlineData(1, 0, "00:00:00", "Gateway:LoadShedding:QueueTimeout must be positive and at most 00:10:00 (got 00:00:00).")]
    [InlineData(1, 0, "00:10:01", "Gateway:LoadShedding:QueueTimeout must be positive and at most 00:10:00 (got 00:10:01).")]
    public void LoadSheddingSettings_OutOfRange_StopTheStart_NamingTheSetting(int max, int queue, string timeout, string message)
    {
        var options = new GatewayOptions
        {
            LoadShedding = { MaxConcurrentRequests = max, QueueLimit = queue, QueueTimeout = TimeSpan.Parse(timeout, System.Globalization.CultureInfo.InvariantCulture) },
        };

        Assert.Equal([message], new GatewayOptionsValidator().Validate(null, options).Failures ?? []);
        Assert.True(new GatewayOptionsValidator().Validate(null, new GatewayOptions()).Succeeded);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(100_001)]
    public void MaxConcurrentKeyLookups_OutOfRange_StopsTheStart_NamingTheSetting(int lookups)
    {
        var options = new GatewayOptions { LoadShedding = { MaxConcurrentKeyLookups = lookups } };

        Assert.Equal(
            [$"Gateway:LoadShedding:MaxConcurrentKeyLookups must be between 1 and 100000 (got {lookups})."],
            new GatewayOptionsValidator().Validate(null, options).Failures ?? []);
    }

    /// <summary>Holds the grain calls <paramref name="holds"/> picks while held, counting the calls it holds.</summary>
    private sealed class HeldGrainCalls(Func<IIncomingGrainCallContext, bool> holds) : IIncomingGrainCallFilter, IDisposable
    {
        /// <summary>Every account's GetPositionsAsync.</summary>
        public static HeldGrainCalls PositionReads() => new(context => context.MethodName == "GetPositionsAsync");

        /// <summary>Every key lookup in the registry grain.</summary>
        public static HeldGrainCalls KeyLookups() => new(context => context.Grain is IApiKeyRegistryGrain && context.MethodName == "GetAsync");

        private readonly TaskCompletionSource _released = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly SemaphoreSlim _entered = new(0);
        private volatile bool _holding;
        private int _held;

        public int Held => Volatile.Read(ref _held);

        public void Hold() => _holding = true;

        public void Release() => _released.TrySetResult();

        public async Task WaitForHeldAsync(int count, CancellationToken cancellationToken)
        {
            for (var i = 0; i < count; i++)
            {
                Assert.True(await _entered.WaitAsync(TimeSpan.FromMinutes(1), cancellationToken), $"{i} of {count} requests reached the account");
            }
        }

        public async Task Invoke(IIncomingGrainCallContext context)
        {
            if (_holding && holds(context) && !_released.Task.IsCompleted)
            {
                Interlocked.Increment(ref _held);
                _entered.Release();
                await _released.Task;
            }

            await context.Invoke();
        }

        public void Dispose()
        {
            Release();
            _entered.Dispose();
        }
    }
}

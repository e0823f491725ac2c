using System.Net;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Gateway.Tests;

/// <summary>
/// The bootstrap admin key refuses placeholders and works once stored, even when tried just before; the key cache never
/// keeps a record read before a revoke that evicted it.
/// </summary>
public sealed class KeySecurityEdgeCaseTests
{
    [Theory]
    [InlineData("${ORLEANSTRADER_BOOTSTRAP_ADMIN_KEY}")] // an unexpanded template variable (compose, CI, .env)
    [InlineData("<paste-a-32-character-secret-here>")]
    [InlineData("changeme-changeme-changeme-changeme")]
    [InlineData("xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    public void BootstrapAdminKey_IsRefused_WhenItIsAPlaceholder(string placeholder)
    {
        var result = new GatewayOptionsValidator().Validate(null, new GatewayOptions { BootstrapAdminKey = placeholder });

        Assert.True(result.Failed, $"the placeholder '{placeholder}' was accepted as the admin key");
        Assert.Contains("Gateway:BootstrapAdminKey", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain(placeholder, result.FailureMessage, StringComparison.Ordinal);
    }

    [Fact]
    public void BootstrapAdminKey_IsAccepted_WhenItIsARandomSecret()
    {
        var generated = ApiKeyHasher.Generate();
        var base64 = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)); // openssl rand -base64 32

        Assert.False(new GatewayOptionsValidator().Validate(null, new GatewayOptions { BootstrapAdminKey = generated }).Failed);
        Assert.False(new GatewayOptionsValidator().Validate(null, new GatewayOptions { BootstrapAdminKey = base64 }).Failed);
    }

    [Fact]
    public async Task KeyCache_DoesNotKeepAnActiveRecord_ReadBeforeARevokeThatEvictedIt()
    {
        var key = ApiKeyHasher.Generate();
        var active = ApiKeyHasher.CreateRecord(key, "k", [ApiKeyRoles.Trader], ["a"], "test", TimeProvider.System.GetUtcNow());
        var registry = new GatedRegistry(active);
        var cache = new ApiKeyCache(new SingleRegistryFactory(registry), TimeProvider.System, Options.Create(new GatewayOptions()));

        // A request authenticates: its lookup reaches the registry before the revoke and answers after it.
        var inFlight = cache.GetAsync(active.KeyId);
        await registry.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        // DELETE /api/keys/{id} on this gateway: the registry revokes, then the cache is evicted (KeysApi.RevokeAsync).
        Assert.True(await registry.RevokeAsync(active.KeyId));
        cache.Invalidate(active.KeyId);
        registry.Release.SetResult(active);
        await inFlight;

        // The next request with the revoked key: "a revoke through a gateway evicts its cache at once".
        var next = await cache.GetAsync(active.KeyId);
        Assert.True(next is null || !next.IsActive, "the revoked key is still accepted by the gateway that revoked it (cached as active)");
    }

    /// <summary>
    /// A request whose key another request is looking up waits for that lookup's answer. The revoke evicted the cache but
    /// left the running lookup to be joined: a request sent after the revoke had answered took the answer of a lookup that
    /// read the key before it, and was let in with the revoked key.
    /// </summary>
    [Fact]
    public async Task ARequestSentAfterARevoke_IsRefused_WhileALookupThatReadTheKeyBeforeItIsStillRunning()
    {
        var key = ApiKeyHasher.Generate();
        var active = ApiKeyHasher.CreateRecord(key, "k", [ApiKeyRoles.Trader], ["a"], "test", TimeProvider.System.GetUtcNow());
        var registry = new GatedRegistry(active);
        var services = new ServiceCollection();
        services.AddSingleton<IGrainFactory>(new SingleRegistryFactory(registry));
        services.AddSingleton(TimeProvider.System);
        services.AddOptions<GatewayOptions>();
        services.AddSingleton<ApiKeyCache>();
        services.AddSingleton<FailedKeyLookupThrottle>();
        services.AddSingleton<KeyLookupSlots>();
        services.AddLogging();
        services.AddAuthentication().AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(GatewayClaims.Scheme, null);
        await using var provider = services.BuildServiceProvider();

        // A request authenticates: its lookup reads the key before the revoke, and its answer is still on the way.
        var before = AuthenticateAsync(provider, key);
        await registry.Entered.Task.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);

        // DELETE /api/keys/{id} on this gateway: the registry revokes, then the cache is evicted (KeysApi.RevokeAsync).
        Assert.True(await registry.RevokeAsync(active.KeyId));
        provider.GetRequiredService<ApiKeyCache>().Invalidate(active.KeyId);

        // The next request with the key, sent once the revoke has answered.
        var after = AuthenticateAsync(provider, key);
        registry.Release.SetResult(active);
        await before;

        var result = await after.WaitAsync(TimeSpan.FromSeconds(5), TestContext.Current.CancellationToken);
        Assert.False(result.Succeeded, "a request sent after its key's revoke was let in: it took the answer of a lookup that read the key before the revoke");
    }

    [Fact]
    public async Task TheConfiguredBootstrapKey_IsAccepted_OnceStored_EvenWhenTriedJustBefore()
    {
        var configured = ApiKeyHasher.Generate();
        var registry = new MemoryRegistry();
        var grains = new SingleRegistryFactory(registry);
        var options = Options.Create(new GatewayOptions { BootstrapAdminKey = configured });
        var cache = new ApiKeyCache(grains, TimeProvider.System, options);
        var keyId = ApiKeyHasher.DeriveId(configured);

        // The HTTP port opens before the host's Started hooks store the key: the operator's first request finds none yet.
        Assert.Null(await cache.GetAsync(keyId));
        await new BootstrapAdminKeyService(grains, options, TimeProvider.System, new ApiKeyConsole(), cache, NullLogger<BootstrapAdminKeyService>.Instance)
            .StartedAsync(TestContext.Current.CancellationToken);

        // The next request, at once: not "no such key" for the cache's 30 s.
        var record = await cache.GetAsync(keyId);
        Assert.True(record is { IsActive: true }, "the stored bootstrap admin key is refused: the gateway cached its absence from before it was stored");
    }

    [Fact]
    public async Task KeyCache_KeepsKnownKeys_WhenUnknownKeysFillIt()
    {
        var key = ApiKeyHasher.Generate();
        var known = ApiKeyHasher.CreateRecord(key, "k", [ApiKeyRoles.Trader], ["a"], "test", TimeProvider.System.GetUtcNow());
        var registry = new CountingRegistry(known);
        var cache = new ApiKeyCache(new SingleRegistryFactory(registry), TimeProvider.System, Options.Create(new GatewayOptions()));
        Assert.NotNull(await cache.GetAsync(known.KeyId));

        // Junk keys (from many addresses, so no per-address budget stops them) fill the cache with "no such key".
        for (var i = 0; i < ApiKeyCache.MaxEntries + 1; i++)
        {
            Assert.Null(await cache.GetAsync(ApiKeyHasher.DeriveId(ApiKeyHasher.Generate())));
        }

        Assert.NotNull(await cache.GetAsync(known.KeyId));
        Assert.True(registry.LookupsOf(known.KeyId) == 1, "the junk keys flushed the cached real key: it went back to the registry");
    }

    /// <summary>
    /// A cached record lives <see cref="GatewayOptions.KeyCacheDuration"/> of elapsed time. Judged on the wall clock, a clock
    /// set back an hour (an operator's mistake, NTP stepping a clock that ran fast) kept every cached record for that hour:
    /// a key revoked through another gateway, or by its own expiry, stayed valid here.
    /// </summary>
    [Fact]
    public async Task KeyCache_AsksTheRegistryAgainAfterItsDuration_WhenTheWallClockIsSetBackAnHour()
    {
        var time = new FakeTimeProvider();
        var clock = new SkewedTimeProvider(time);
        var known = ApiKeyHasher.CreateRecord(ApiKeyHasher.Generate(), "k", [ApiKeyRoles.Trader], ["a"], "test", clock.GetUtcNow());
        var registry = new CountingRegistry(known);
        var options = new GatewayOptions();
        var cache = new ApiKeyCache(new SingleRegistryFactory(registry), clock, Options.Create(options));
        Assert.NotNull(await cache.GetAsync(known.KeyId));

        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(options.KeyCacheDuration);

        Assert.NotNull(await cache.GetAsync(known.KeyId));
        Assert.True(registry.LookupsOf(known.KeyId) == 2, "the record was served from the cache after its duration: the clock was set back");
    }

    // A registry full of active keys refuses the bootstrap admin key. The silo said
    // "Stored the configured bootstrap admin key" (or, without one, "An admin API key already exists") while no admin key
    // existed: the operator recovering from a lockout got 401s and a log that said all was well.
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task BootstrapAdminKey_IsReportedNotStored_WhenTheRegistryIsFull(bool configured)
    {
        var registry = new FullRegistry();
        var grains = new SingleRegistryFactory(registry);
        var options = Options.Create(new GatewayOptions { BootstrapAdminKey = configured ? ApiKeyHasher.Generate() : null });
        var logger = new CapturingLogger<BootstrapAdminKeyService>();

        await new BootstrapAdminKeyService(grains, options, TimeProvider.System, new ApiKeyConsole(), new ApiKeyCache(grains, TimeProvider.System, options), logger)
            .StartedAsync(TestContext.Current.CancellationToken);

        var logged = Assert.Single(logger.Events);
        Assert.True(logged.Level == Microsoft.Extensions.Logging.LogLevel.Error,
            $"no admin key could be stored, yet the silo logged (event {logged.Id}, {logged.Level}): {logged.Message}");
        Assert.Contains("full", logged.Message, StringComparison.Ordinal);
    }

    /// <summary>One request's authentication, in a scope of its own as the server gives each request.</summary>
    private static async Task<AuthenticateResult> AuthenticateAsync(IServiceProvider services, string key)
    {
        await using var scope = services.CreateAsyncScope();
        var http = new DefaultHttpContext { RequestServices = scope.ServiceProvider };
        http.Connection.RemoteIpAddress = IPAddress.Loopback;
        http.Request.Headers.Authorization = "Bearer " + key;
        return await http.AuthenticateAsync(GatewayClaims.Scheme);
    }

    private sealed class SingleRegistryFactory(IApiKeyRegistryGrain registry) : IGrainFactory
    {
        public TGrainInterface GetGrain<TGrainInterface>(string primaryKey)
            where TGrainInterface : IGrainWithStringKey => (TGrainInterface)registry;

        public TGrainInterface GetGrain<TGrainInterface>(Guid primaryKey)
            where TGrainInterface : IGrainWithGuidKey => throw new NotSupportedException();

        public TGrainInterface GetGrain<TGrainInterface>(long primaryKey)
            where TGrainInterface : IGrainWithIntegerKey => throw new NotSupportedException();

        public TGrainInterface GetGrain<TGrainInterface>(GrainId grainId)
            where TGrainInterface : IGrain => throw new NotSupportedException();
    }

    /// <summary>The first lookup waits for <see cref="Release"/> (the answer read before the revoke); later ones read the current record.</summary>
    private sealed class GatedRegistry(ApiKeyRecord record) : IApiKeyRegistryGrain
    {
        private ApiKeyRecord _record = record;
        private int _lookups;

        public TaskCompletionSource Entered { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public TaskCompletionSource<ApiKeyRecord?> Release { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task<ApiKeyRecord?> GetAsync(string keyId)
        {
            if (Interlocked.Increment(ref _lookups) == 1)
            {
                Entered.SetResult();
                return Release.Task;
            }

            return Task.FromResult<ApiKeyRecord?>(_record);
        }

        public Task<bool> RevokeAsync(string keyId)
        {
            _record = _record with { RevokedAt = TimeProvider.System.GetUtcNow() };
            return Task.FromResult(true);
        }

        public Task<bool> AddAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<ApiKeyIssueResult> IssueAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<bool> AddBootstrapAdminAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<bool> HasActiveAdminAsync() => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit) => throw new NotSupportedException();
    }

    /// <summary>Knows one key and counts lookups by id.</summary>
    private sealed class CountingRegistry(ApiKeyRecord known) : IApiKeyRegistryGrain
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _lookups = new(StringComparer.Ordinal);

        public int LookupsOf(string keyId) => _lookups.GetValueOrDefault(keyId);

        public Task<ApiKeyRecord?> GetAsync(string keyId)
        {
            _lookups.AddOrUpdate(keyId, 1, (_, n) => n + 1);
            return Task.FromResult(keyId == known.KeyId ? known : null);
        }

        public Task<bool> AddAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<ApiKeyIssueResult> IssueAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<bool> AddBootstrapAdminAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<bool> HasActiveAdminAsync() => throw new NotSupportedException();

        public Task<bool> RevokeAsync(string keyId) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit) => throw new NotSupportedException();
    }

    /// <summary>No active admin key and no room: every add is refused, as the grain does at <c>MaxActiveKeys</c> active keys.</summary>
    private sealed class FullRegistry : IApiKeyRegistryGrain
    {
        public Task<ApiKeyRecord?> GetAsync(string keyId) => Task.FromResult<ApiKeyRecord?>(null);

        public Task<bool> AddAsync(ApiKeyRecord record) => Task.FromResult(false);

        public Task<ApiKeyIssueResult> IssueAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<bool> AddBootstrapAdminAsync(ApiKeyRecord record) => Task.FromResult(false);

        public Task<bool> HasActiveAdminAsync() => Task.FromResult(false);

        public Task<bool> RevokeAsync(string keyId) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit) => throw new NotSupportedException();
    }

    private sealed class CapturingLogger<T> : Microsoft.Extensions.Logging.ILogger<T>
    {
        public List<(Microsoft.Extensions.Logging.LogLevel Level, int Id, string Message)> Events { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state,
            Exception? exception, Func<TState, Exception?, string> formatter) =>
            Events.Add((logLevel, eventId.Id, formatter(state, exception)));
    }

    /// <summary>A registry in memory, as the grain keeps it.</summary>
    private sealed class MemoryRegistry : IApiKeyRegistryGrain
    {
        private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ApiKeyRecord> _keys = new(StringComparer.Ordinal);

        public Task<ApiKeyRecord?> GetAsync(string keyId) => Task.FromResult(_keys.GetValueOrDefault(keyId));

        public Task<bool> AddAsync(ApiKeyRecord record) => Task.FromResult(_keys.TryAdd(record.KeyId, record));

        public Task<ApiKeyIssueResult> IssueAsync(ApiKeyRecord record) => throw new NotSupportedException();

        public Task<bool> AddBootstrapAdminAsync(ApiKeyRecord record) => AddAsync(record);

        public Task<bool> HasActiveAdminAsync() => Task.FromResult(_keys.Values.Any(k => k.IsActive && k.Roles.Contains(ApiKeyRoles.Admin)));

        public Task<bool> RevokeAsync(string keyId) => throw new NotSupportedException();

        public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit) => throw new NotSupportedException();
    }
}

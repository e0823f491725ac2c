using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// Makes sure an admin key exists once the host has started (after the silo or cluster client). A configured
/// Gateway:BootstrapAdminKey is stored (hashed) if it is not yet known. Without one, and only while no active admin key
/// exists, a key is generated and written to the console once: that line is the only place the plain key ever appears.
/// The HTTP port is open before this runs, so the key cache is evicted once the key is stored: a try with the configured key
/// just before must not leave "no such key" cached for the cache's duration.
/// </summary>
internal sealed partial class BootstrapAdminKeyService(
    IGrainFactory grains,
    IOptions<GatewayOptions> options,
    TimeProvider time,
    ApiKeyConsole console,
    ApiKeyCache cache,
    ILogger<BootstrapAdminKeyService> logger) : IHostedLifecycleService
{
    public const string CreatedBy = ApiKeyRegistryKeys.BootstrapCreator;
    public const string KeyName = "bootstrap-admin";

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StartedAsync(CancellationToken cancellationToken)
    {
        var registry = grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        if (options.Value.BootstrapAdminKey is { Length: > 0 } configured)
        {
            var id = ApiKeyHasher.DeriveId(configured);
            if (await registry.GetAsync(id) is { } existing)
            {
                if (!existing.IsActive)
                {
                    LogConfiguredKeyRevoked(logger, id);
                }

                return;
            }

            // Refused when the registry is full of active keys or the id was taken meanwhile: logging "stored" then
            // would send the operator to a 401 with no clue why.
            var stored = await registry.AddAsync(ApiKeyHasher.CreateRecord(configured, KeyName, [ApiKeyRoles.Admin], [], CreatedBy, time.GetUtcNow()))
                || await registry.GetAsync(id) is { IsActive: true };
            cache.Invalidate(id);
            if (stored)
            {
                LogConfiguredKeyStored(logger, id);
            }
            else
            {
                LogConfiguredKeyNotStored(logger, id);
            }

            return;
        }

        if (await registry.HasActiveAdminAsync())
        {
            LogAdminKeyExists(logger);
            return;
        }

        var key = ApiKeyHasher.Generate();
        var record = ApiKeyHasher.CreateRecord(key, KeyName, [ApiKeyRoles.Admin], [], CreatedBy, time.GetUtcNow());
        if (await registry.AddBootstrapAdminAsync(record))
        {
            console.PrintBootstrapKey(record.KeyId, key);
            LogGeneratedKey(logger, record.KeyId);
        }
        else if (await registry.HasActiveAdminAsync())
        {
            LogAdminKeyExists(logger);
        }
        else
        {
            // No admin key and none stored: the registry is full. Saying "one exists" would hide the lockout.
            LogAdminKeyNotStored(logger);
        }
    }

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(EventId = 7301, Level = LogLevel.Information, Message = "Stored the configured bootstrap admin key {KeyId} (hashed)")]
    private static partial void LogConfiguredKeyStored(ILogger logger, string keyId);

    [LoggerMessage(EventId = 7302, Level = LogLevel.Warning, Message = "The configured bootstrap admin key {KeyId} was revoked; configure a new Gateway__BootstrapAdminKey to regain admin access")]
    private static partial void LogConfiguredKeyRevoked(ILogger logger, string keyId);

    [LoggerMessage(EventId = 7303, Level = LogLevel.Information, Message = "An admin API key already exists; no key generated (set Gateway__BootstrapAdminKey to add one)")]
    private static partial void LogAdminKeyExists(ILogger logger);

    [LoggerMessage(EventId = 7305, Level = LogLevel.Error, Message = "The configured bootstrap admin key {KeyId} could not be stored: the key registry is full of active keys (revoke keys, or raise Trading:ApiKeys:MaxActiveKeys and restart) or the key id is taken")]
    private static partial void LogConfiguredKeyNotStored(ILogger logger, string keyId);

    [LoggerMessage(EventId = 7306, Level = LogLevel.Error, Message = "No admin API key exists and none could be stored: the key registry is full of active keys (raise Trading:ApiKeys:MaxActiveKeys and restart)")]
    private static partial void LogAdminKeyNotStored(ILogger logger);

    [LoggerMessage(EventId = 7304, Level = LogLevel.Warning, Message = "Generated the first admin API key {KeyId}; it was printed once to the console and is stored only as a hash")]
    private static partial void LogGeneratedKey(ILogger logger, string keyId);
}

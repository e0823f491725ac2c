using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.ApiKeys;

/// <summary>
/// Every API key of the cluster in one persisted state: keys are few (issued by hand by admins), so one grain keeps the
/// bootstrap check ("no active admin yet") atomic. The state is written before a change is acknowledged.
/// </summary>
internal sealed class ApiKeyRegistryGrain(
    [PersistentState("api-keys")] IPersistentState<ApiKeyRegistryState> state,
    TimeProvider time) : Grain, IApiKeyRegistryGrain
{
    /// <summary>A bound on the registry (LESSONS 8); revoked keys count, as they are kept for audit.</summary>
    internal const int MaxKeys = 10_000;

    private Dictionary<string, ApiKeyRecord> Keys => state.State.Keys;

    public async Task<bool> AddAsync(ApiKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Keys.Count >= MaxKeys || Keys.ContainsKey(record.KeyId))
        {
            return false;
        }

        Keys[record.KeyId] = record;
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            // The caller got an error: a key kept in memory would authenticate until deactivation, and then be gone.
            Keys.Remove(record.KeyId);
            throw;
        }

        return true;
    }

    public async Task<bool> AddBootstrapAdminAsync(ApiKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (HasActiveAdmin() || !record.Roles.Contains(ApiKeyRoles.Admin))
        {
            return false;
        }

        return await AddAsync(record);
    }

    public Task<ApiKeyRecord?> GetAsync(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        return Task.FromResult(Keys.GetValueOrDefault(keyId));
    }

    public async Task<bool> RevokeAsync(string keyId)
    {
        ArgumentNullException.ThrowIfNull(keyId);
        if (!Keys.TryGetValue(keyId, out var record))
        {
            return false;
        }

        if (record.IsActive)
        {
            Keys[keyId] = record with { RevokedAt = time.GetUtcNow() };
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Left revoked in memory only, the retry would find it revoked and write nothing: the next activation
                // would load the key active again.
                Keys[keyId] = record;
                throw;
            }
        }

        return true;
    }

    public Task<bool> HasActiveAdminAsync() => Task.FromResult(HasActiveAdmin());

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var ordered = Keys.Values.OrderBy(k => k.CreatedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal);
        IEnumerable<ApiKeyRecord> page = ordered;
        if (afterKeyId is not null)
        {
            // Keys are never deleted, so an unknown cursor is a client's mistake: an empty page, not the first one again.
            if (!Keys.TryGetValue(afterKeyId, out var after))
            {
                return Task.FromResult<IReadOnlyList<ApiKeyRecord>>([]);
            }

            page = ordered.Where(k => k.CreatedAt > after.CreatedAt || (k.CreatedAt == after.CreatedAt && string.CompareOrdinal(k.KeyId, after.KeyId) > 0));
        }

        return Task.FromResult<IReadOnlyList<ApiKeyRecord>>([.. page.Take(limit)]);
    }

    private bool HasActiveAdmin() => Keys.Values.Any(k => k.IsActive && k.Roles.Contains(ApiKeyRoles.Admin));
}

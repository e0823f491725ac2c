using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.ApiKeys;

/// <summary>
/// Every API key of the cluster in one persisted state: keys are few (issued by hand by admins), so one grain keeps the
/// bootstrap check ("no active admin yet") atomic. The state is written before a change is acknowledged.
/// Bounded (LESSONS 8) apart for active and revoked keys: revoked keys, kept for audit, never block a new key; the
/// longest-revoked are forgotten beyond <see cref="ApiKeyRegistryOptions.RevokedKeysKept"/>.
/// </summary>
internal sealed class ApiKeyRegistryGrain(
    [PersistentState("api-keys")] IPersistentState<ApiKeyRegistryState> state,
    TimeProvider time,
    IOptions<ApiKeyRegistryOptions> options) : Grain, IApiKeyRegistryGrain
{
    private readonly ApiKeyRegistryOptions _options = options.Value;

    private Dictionary<string, ApiKeyRecord> Keys => state.State.Keys;

    public async Task<bool> AddAsync(ApiKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Keys.ContainsKey(record.KeyId) || (record.IsActive && Keys.Values.Count(k => k.IsActive) >= _options.MaxActiveKeys))
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

    public async Task<ApiKeyIssueResult> IssueAsync(ApiKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        if (Keys.ContainsKey(record.KeyId))
        {
            return ApiKeyIssueResult.Refused(ApiKeyIssueResult.KeyIdTaken, "The generated key id is taken; try again.");
        }

        if (record.ClientKeyId is not { } clientKeyId)
        {
            return await AddAsync(record) ? new ApiKeyIssueResult() : KeyLimitReached();
        }

        // A scan: keys are issued by hand and few, and an index would be one more thing to keep right across forgetting.
        var holders = Keys.Values.Where(k => k.ClientKeyId == clientKeyId).ToList();
        var earlier = holders.FirstOrDefault(k => k.IsActive);
        if (earlier is null && holders.Count > 0)
        {
            // Revoked on purpose (or by a repeat whose key was then revoked): a retry must not bring such a key back.
            return ApiKeyIssueResult.Refused(ApiKeyIssueResult.ClientKeyIdReused,
                $"The key issued with clientKeyId {clientKeyId} ({holders[0].KeyId}) is revoked; issue with another clientKeyId.");
        }

        if (earlier is null)
        {
            return await AddAsync(record) ? new ApiKeyIssueResult() : KeyLimitReached();
        }

        if (!SameGrant(earlier, record))
        {
            return ApiKeyIssueResult.Refused(ApiKeyIssueResult.ClientKeyIdReused,
                $"clientKeyId {clientKeyId} was used for key {earlier.KeyId}, of another name, roles or accounts; nothing was issued.");
        }

        // The repeat of a request whose answer may have been lost: its key takes the earlier one's place, which is revoked
        // in the same write (the secret behind it is unknown here, so it cannot be answered again).
        Keys[earlier.KeyId] = earlier with { RevokedAt = time.GetUtcNow() };
        Keys[record.KeyId] = record;
        var forgotten = ForgetRevokedBeyondBound();
        try
        {
            await state.WriteStateAsync();
        }
        catch
        {
            Keys.Remove(record.KeyId);
            Keys[earlier.KeyId] = earlier;
            foreach (var old in forgotten)
            {
                Keys[old.KeyId] = old;
            }

            throw;
        }

        return new ApiKeyIssueResult { ReplacedKeyId = earlier.KeyId };
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
            var forgotten = ForgetRevokedBeyondBound();
            try
            {
                await state.WriteStateAsync();
            }
            catch
            {
                // Left revoked in memory only, the retry would find it revoked and write nothing: the next activation
                // would load the key active again.
                Keys[keyId] = record;
                foreach (var old in forgotten)
                {
                    Keys[old.KeyId] = old;
                }

                throw;
            }
        }

        return true;
    }

    public Task<bool> HasActiveAdminAsync() => Task.FromResult(HasActiveAdmin());

    public Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        // Key id order: the cursor is a position in it whether or not its key still exists (a revoked key may be forgotten
        // between two pages), which creation order could not be without the named key's creation time.
        var page = Keys.Values
            .Where(k => afterKeyId is null || string.CompareOrdinal(k.KeyId, afterKeyId) > 0)
            .OrderBy(k => k.KeyId, StringComparer.Ordinal)
            .Take(limit);
        return Task.FromResult<IReadOnlyList<ApiKeyRecord>>([.. page]);
    }

    private static bool SameGrant(ApiKeyRecord a, ApiKeyRecord b) =>
        a.Name == b.Name
        && a.Roles.Order(StringComparer.Ordinal).SequenceEqual(b.Roles.Order(StringComparer.Ordinal), StringComparer.Ordinal)
        && a.Accounts.Order(StringComparer.Ordinal).SequenceEqual(b.Accounts.Order(StringComparer.Ordinal), StringComparer.Ordinal);

    private ApiKeyIssueResult KeyLimitReached() => ApiKeyIssueResult.Refused(ApiKeyIssueResult.KeyLimit,
        $"The key registry holds its maximum of active keys (Trading:ApiKeys:MaxActiveKeys, {_options.MaxActiveKeys}): revoke keys no longer used (DELETE /api/keys/{{keyId}}), then issue again.");

    private bool HasActiveAdmin() => Keys.Values.Any(k => k.IsActive && k.Roles.Contains(ApiKeyRoles.Admin));

    /// <summary>
    /// Removes the longest-revoked keys beyond the kept number and answers them. Bootstrap keys stay: forgetting a revoked
    /// configured key would let the next start store it again, active.
    /// </summary>
    private List<ApiKeyRecord> ForgetRevokedBeyondBound()
    {
        var revoked = Keys.Values.Where(k => !k.IsActive && k.CreatedBy != ApiKeyRegistryKeys.BootstrapCreator).ToList();
        var excess = revoked.Count - _options.RevokedKeysKept;
        if (excess <= 0)
        {
            return [];
        }

        var forgotten = revoked.OrderBy(k => k.RevokedAt).ThenBy(k => k.KeyId, StringComparer.Ordinal).Take(excess).ToList();
        foreach (var old in forgotten)
        {
            Keys.Remove(old.KeyId);
        }

        return forgotten;
    }
}

using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The durable store of API keys (key: <see cref="ApiKeyRegistryKeys.Default"/>). It holds salted hashes only; the plain
/// key is shown once by the gateway that issued it and never reaches a grain.
/// </summary>
public interface IApiKeyRegistryGrain : IGrainWithStringKey
{
    /// <summary>Stores a new key; false when the key id is already taken or the registry holds its maximum of active keys.</summary>
    Task<bool> AddAsync(ApiKeyRecord record);

    /// <summary>
    /// Stores a new key; when an active key holds the same <see cref="ApiKeyRecord.ClientKeyId"/> with the same name, roles
    /// and accounts (a retried request whose answer was lost), revokes that key in the same write, so a retry leaves no
    /// unused key working. Refused: the key id taken, the registry full of active keys, the client key id held by another
    /// key or by revoked keys only.
    /// </summary>
    Task<ApiKeyIssueResult> IssueAsync(ApiKeyRecord record);

    /// <summary>Stores <paramref name="record"/> only when no active admin key exists yet (the first-start bootstrap), atomically.</summary>
    Task<bool> AddBootstrapAdminAsync(ApiKeyRecord record);

    [ReadOnly]
    Task<ApiKeyRecord?> GetAsync(string keyId);

    /// <summary>
    /// Revokes a key; false when it does not exist (or, revoked long ago, was forgotten). Revoking twice keeps the first
    /// revocation time.
    /// </summary>
    Task<bool> RevokeAsync(string keyId);

    [ReadOnly]
    Task<bool> HasActiveAdminAsync();

    /// <summary>
    /// Up to <paramref name="limit"/> keys, the revoked ones still kept included, in key id order (ordinal), those after
    /// <paramref name="afterKeyId"/> whether or not a key with that id (still) exists.
    /// </summary>
    [ReadOnly]
    Task<IReadOnlyList<ApiKeyRecord>> ListAsync(string? afterKeyId, int limit);
}

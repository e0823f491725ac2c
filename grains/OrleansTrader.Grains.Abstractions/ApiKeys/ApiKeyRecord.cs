using System.Text.Json.Serialization;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// A stored API key: never the key itself, only a salted hash of it. <see cref="KeyId"/> is derived from the key, so a
/// presented key is looked up in O(1) and then compared in constant time against <see cref="Hash"/>.
/// </summary>
public sealed record ApiKeyRecord
{
    public required string KeyId { get; init; }

    public required string Name { get; init; }

    /// <summary>"trader", "risk" and/or "admin" (<see cref="ApiKeyRoles"/>).</summary>
    public required IReadOnlyList<string> Roles { get; init; }

    /// <summary>The accounts a non-admin key may act on.</summary>
    public required IReadOnlyList<string> Accounts { get; init; }

    /// <summary>Random salt (base64).</summary>
    public required string Salt { get; init; }

    /// <summary>SHA-256 over salt and key (base64).</summary>
    public required string Hash { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The key id of the admin who issued it ("bootstrap" for the first admin key).</summary>
    public required string CreatedBy { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>
    /// The id the issuing client gave the request (optional): a repeat of that request replaces this key rather than adding
    /// another (<see cref="IApiKeyRegistryGrain.IssueAsync"/>).
    /// </summary>
    public string? ClientKeyId { get; init; }

    [JsonIgnore]
    public bool IsActive => RevokedAt is null;
}

namespace OrleansTrader.Gateway.Contracts;

/// <summary>A key as GET /api/keys lists it: who may do what, since when, and whether it is revoked; never the key or its hash.</summary>
public sealed record ApiKeyInfo
{
    public required string KeyId { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<string> Roles { get; init; }

    public required IReadOnlyList<string> Accounts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    public required string CreatedBy { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    /// <summary>The clientKeyId the key was issued with, if any.</summary>
    public string? ClientKeyId { get; init; }
}

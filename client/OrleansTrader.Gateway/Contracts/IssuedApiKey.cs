namespace OrleansTrader.Gateway.Contracts;

/// <summary>The answer to POST /api/keys: <see cref="Key"/> is shown this once and never again.</summary>
public sealed record IssuedApiKey
{
    public required string KeyId { get; init; }

    public required string Key { get; init; }

    public required string Name { get; init; }

    public required IReadOnlyList<string> Roles { get; init; }

    public required IReadOnlyList<string> Accounts { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The clientKeyId the key was issued with, if any.</summary>
    public string? ClientKeyId { get; init; }
}

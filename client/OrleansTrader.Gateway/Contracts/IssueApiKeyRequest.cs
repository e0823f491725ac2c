namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST /api/keys: roles among "trader", "risk", "admin"; accounts the key may act on ("*" for all).</summary>
public sealed record IssueApiKeyRequest
{
    public string? Name { get; init; }

    public IReadOnlyList<string>? Roles { get; init; }

    public IReadOnlyList<string>? Accounts { get; init; }
}

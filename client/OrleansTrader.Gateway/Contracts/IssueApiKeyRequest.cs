using System.ComponentModel;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST /api/keys: roles among "trader", "risk", "admin"; accounts the key may act on ("*" for all).</summary>
public sealed record IssueApiKeyRequest
{
    [RequiredField]
    public string? Name { get; init; }

    [RequiredField]
    [AcceptedValues(ApiKeyRoles.Trader, ApiKeyRoles.Risk, ApiKeyRoles.Admin)]
    public IReadOnlyList<string>? Roles { get; init; }

    [Description("Required (one or more, or \"*\") for a key with the trader or risk role; an admin key may have none.")]
    public IReadOnlyList<string>? Accounts { get; init; }
}

using System.ComponentModel;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST /api/keys: roles among "trader", "risk", "admin"; accounts the key may act on ("*" for all); an optional client key id that makes a retry safe.</summary>
public sealed record IssueApiKeyRequest
{
    [RequiredField]
    public string? Name { get; init; }

    [RequiredField]
    [AcceptedValues(ApiKeyRoles.Trader, ApiKeyRoles.Risk, ApiKeyRoles.Admin)]
    public IReadOnlyList<string>? Roles { get; init; }

    [Description("Required (one or more, or \"*\") for a key with the trader or risk role; an admin key may have none.")]
    public IReadOnlyList<string>? Accounts { get; init; }

    [Description("Optional, yours (1 to 64 letters, digits, '-', '_', '.'): sending the same request again answers a new key that replaces the one issued before (200), which stops working at once; the same id with another name, roles or accounts is 409 CLIENT_KEY_ID_REUSED.")]
    public string? ClientKeyId { get; init; }
}

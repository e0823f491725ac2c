using System.Security.Claims;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Security;

/// <summary>The claims of an authenticated key: its id, name, roles and accounts.</summary>
internal static class GatewayClaims
{
    public const string Scheme = "ApiKey";
    public const string Account = "orleanstrader:account";

    /// <summary>In a key's account list, "*" covers every account.</summary>
    public const string AllAccounts = "*";

    public static ClaimsPrincipal ToPrincipal(ApiKeyRecord record)
    {
        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, record.KeyId),
            new(ClaimTypes.Name, record.Name),
        };
        claims.AddRange(record.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        claims.AddRange(record.Accounts.Select(a => new Claim(Account, a)));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, Scheme));
    }

    public static string? KeyId(this ClaimsPrincipal user) => user.FindFirst(ClaimTypes.NameIdentifier)?.Value;

    public static bool IsAdmin(this ClaimsPrincipal user) => user.IsInRole(ApiKeyRoles.Admin);

    public static bool HasRole(this ClaimsPrincipal user, string role) => user.IsAdmin() || user.IsInRole(role);

    /// <summary>An admin key, or a key whose account list has "*".</summary>
    public static bool CoversAllAccounts(this ClaimsPrincipal user) => user.IsAdmin() || user.FindAll(Account).Any(c => c.Value == AllAccounts);

    /// <summary>The account ids a key names (without "*").</summary>
    public static IReadOnlyList<string> NamedAccounts(this ClaimsPrincipal user) =>
        [.. user.FindAll(Account).Select(c => c.Value).Where(a => a != AllAccounts)];

    public static bool CoversAccount(this ClaimsPrincipal user, string accountId) =>
        user.CoversAllAccounts() || user.FindAll(Account).Any(c => string.Equals(c.Value, accountId, StringComparison.Ordinal));
}

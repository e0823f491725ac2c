using Microsoft.AspNetCore.Authorization;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Security;

/// <summary>The authorization policies every route picks one of.</summary>
public static class GatewayPolicies
{
    /// <summary>Any valid key (market data, the OpenAPI document).</summary>
    public const string AnyKey = "any-key";

    /// <summary>Read an account: any role, and the key covers the account.</summary>
    public const string AccountRead = "account-read";

    /// <summary>Trade on an account: trader role and the account.</summary>
    public const string AccountTrade = "account-trade";

    /// <summary>Change an account's risk limits or breaker: risk role and the account.</summary>
    public const string AccountRisk = "account-risk";

    /// <summary>Cluster-wide risk actions (the global kill switch): risk role.</summary>
    public const string Risk = "risk";

    /// <summary>Accounts and keys: admin role.</summary>
    public const string Admin = "admin";

    internal static void Add(AuthorizationOptions options)
    {
        string[] any = [ApiKeyRoles.Trader, ApiKeyRoles.Risk, ApiKeyRoles.Admin];
        Add(options, AnyKey, any, accountScoped: false);
        Add(options, AccountRead, any, accountScoped: true);
        Add(options, AccountTrade, [ApiKeyRoles.Trader], accountScoped: true);
        Add(options, AccountRisk, [ApiKeyRoles.Risk], accountScoped: true);
        Add(options, Risk, [ApiKeyRoles.Risk], accountScoped: false);
        Add(options, Admin, [ApiKeyRoles.Admin], accountScoped: false);
    }

    private static void Add(AuthorizationOptions options, string name, string[] roles, bool accountScoped) =>
        options.AddPolicy(name, policy => policy
            .AddAuthenticationSchemes(GatewayClaims.Scheme)
            .RequireAuthenticatedUser()
            .AddRequirements(new GatewayAccessRequirement(roles, accountScoped)));
}

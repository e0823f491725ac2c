using Microsoft.AspNetCore.Authorization;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// A key must carry one of <see cref="Roles"/> (admin always passes) and, when <see cref="AccountScoped"/>, cover the
/// route's {accountId}. Failing either is a 403; no key at all is a 401.
/// </summary>
internal sealed class GatewayAccessRequirement(IReadOnlyList<string> roles, bool accountScoped) : IAuthorizationRequirement
{
    public IReadOnlyList<string> Roles { get; } = roles;

    public bool AccountScoped { get; } = accountScoped;
}

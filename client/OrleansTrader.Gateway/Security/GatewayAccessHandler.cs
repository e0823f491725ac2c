using Microsoft.AspNetCore.Authorization;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// Grants a route to a key with one of its roles and, on an account's route, that account. A key it refuses is told why
/// (the failure reason, which <see cref="ForbiddenProblemWriter"/> puts in the 403's detail).
/// </summary>
internal sealed class GatewayAccessHandler : AuthorizationHandler<GatewayAccessRequirement>
{
    public const string AccountRouteValue = "accountId";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GatewayAccessRequirement requirement)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true)
        {
            // No key: the challenge (401) answers, not a refusal.
            return Task.CompletedTask;
        }

        var keyId = user.KeyId() ?? "(unknown)";
        if (!requirement.Roles.Any(user.HasRole))
        {
            context.Fail(new AuthorizationFailureReason(this, $"Key {keyId} lacks the role this route needs: {string.Join(" or ", requirement.Roles)}."));
            return Task.CompletedTask;
        }

        if (requirement.AccountScoped)
        {
            var http = context.Resource as HttpContext;
            if (http?.GetRouteValue(AccountRouteValue) is not string accountId)
            {
                context.Fail(new AuthorizationFailureReason(this, $"Key {keyId} may not use this route."));
                return Task.CompletedTask;
            }

            if (!user.CoversAccount(accountId))
            {
                context.Fail(new AuthorizationFailureReason(this, $"Key {keyId} does not cover account {accountId}."));
                return Task.CompletedTask;
            }
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

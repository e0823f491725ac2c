using Microsoft.AspNetCore.Authorization;

namespace OrleansTrader.Gateway.Security;

internal sealed class GatewayAccessHandler : AuthorizationHandler<GatewayAccessRequirement>
{
    public const string AccountRouteValue = "accountId";

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, GatewayAccessRequirement requirement)
    {
        var user = context.User;
        if (user.Identity?.IsAuthenticated != true || !requirement.Roles.Any(user.HasRole))
        {
            return Task.CompletedTask;
        }

        if (requirement.AccountScoped)
        {
            var http = context.Resource as HttpContext;
            if (http?.GetRouteValue(AccountRouteValue) is not string accountId || !user.CoversAccount(accountId))
            {
                return Task.CompletedTask;
            }
        }

        context.Succeed(requirement);
        return Task.CompletedTask;
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Policy;
using Microsoft.AspNetCore.Mvc;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// A 403 as a problem whose detail is the refusal's reason (<see cref="GatewayAccessHandler"/>: the role the key lacks, or
/// the account it does not cover): a bare "Forbidden" leaves the caller to guess which of its keys or accounts is wrong.
/// Every other outcome is the framework's.
/// </summary>
internal sealed class ForbiddenProblemWriter : IAuthorizationMiddlewareResultHandler
{
    private readonly AuthorizationMiddlewareResultHandler _default = new();

    public async Task HandleAsync(RequestDelegate next, HttpContext context, AuthorizationPolicy policy, PolicyAuthorizationResult authorizeResult)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(authorizeResult);
        if (!authorizeResult.Forbidden)
        {
            await _default.HandleAsync(next, context, policy, authorizeResult);
            return;
        }

        context.Response.StatusCode = StatusCodes.Status403Forbidden;
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails
            {
                Status = StatusCodes.Status403Forbidden,
                Title = "Forbidden.",
                Detail = authorizeResult.AuthorizationFailure?.FailureReasons.FirstOrDefault()?.Message
                    ?? $"Key {context.User.KeyId() ?? "(unknown)"} may not use this route.",
            },
        });
    }
}

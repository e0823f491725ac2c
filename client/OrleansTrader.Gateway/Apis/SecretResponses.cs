namespace OrleansTrader.Gateway.Apis;

/// <summary>Answers that carry a secret (a new API key, a webhook's signing secret): no cache on the way or at the client may keep them.</summary>
internal static class SecretResponses
{
    public static RouteHandlerBuilder NoStore(this RouteHandlerBuilder builder) => builder.AddEndpointFilter(async (context, next) =>
    {
        context.HttpContext.Response.Headers.CacheControl = "no-store";
        return await next(context);
    });
}

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Serves at most Gateway:LoadShedding:MaxConcurrentRequests requests at once, queues a few more briefly, and refuses the
/// rest at once with 503 OVERLOADED and Retry-After: an honest answer in a millisecond instead of a 504 after half a
/// minute for everyone. Health probes and exempt routes (<see cref="LoadSheddingExemption"/>) pass by. It runs before
/// authentication, whose key lookups are grain calls too; those have their own bound (<see cref="Security.KeyLookupSlots"/>),
/// so a request that passes by here with a key to look up cannot pile them up.
/// </summary>
internal sealed class LoadSheddingMiddleware(RequestDelegate next, RequestSlots slots)
{
    public const string OverloadedReason = "OVERLOADED";

    /// <summary>Seconds a refused client is told to wait: places free as fast as requests are answered.</summary>
    public const int RetryAfterSeconds = 1;

    public async Task InvokeAsync(HttpContext context)
    {
        if (context.Request.Path.StartsWithSegments("/health") || context.GetEndpoint()?.Metadata.GetMetadata<LoadSheddingExemption>() is not null)
        {
            await next(context);
            return;
        }

        var (lease, refusal) = await slots.AcquireAsync(context.RequestAborted);
        if (lease is null)
        {
            if (refusal is not null)
            {
                await RefuseAsync(context, refusal);
            }

            return;
        }

        using (lease)
        {
            await next(context);
        }
    }

    /// <summary>503 OVERLOADED with Retry-After, counted under <paramref name="refusal"/>.</summary>
    internal static Task RefuseAsync(HttpContext context, string refusal)
    {
        context.RequestServices.GetRequiredService<GatewayMetrics>().Shed(refusal);
        return TradingGatewayExtensions.RefuseAsync(context, StatusCodes.Status503ServiceUnavailable, RetryAfterSeconds,
            "The gateway is serving as many requests as it can.",
            "Not served: retry after the number of seconds in the Retry-After header. Nothing was done.", OverloadedReason);
    }
}

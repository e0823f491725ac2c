using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using OrleansTrader.Gateway.Apis;
using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway;

/// <summary>
/// The order placement limit, per key id (or client address), in addition to the global one. It answers its own refusals:
/// the middleware calls a policy's OnRejected only when that policy refused, so the metric names "orders" then and "global"
/// when the key's general limit refused the same route.
/// </summary>
internal sealed class OrderRateLimitPolicy : IRateLimiterPolicy<string>
{
    public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } =
        (context, _) => TradingGatewayExtensions.RejectAsync(context, OrdersApi.OrderRateLimitPolicy);

    public RateLimitPartition<string> GetPartition(HttpContext httpContext) => TradingGatewayExtensions.FixedWindow(
        httpContext,
        "orders:" + (httpContext.User.KeyId() ?? TradingGatewayExtensions.ClientAddress(httpContext)),
        TradingGatewayExtensions.Limits(httpContext).OrderPermitsPerWindow);
}

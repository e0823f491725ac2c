using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Refuses bodies over <see cref="GatewayOptions.MaxRequestBodyBytes"/>: at once from Content-Length, and while reading
/// for chunked bodies (the server's own limit where it has one, plus a counting stream for hosts that have none). A server
/// limit set lower (Kestrel:Limits:MaxRequestBodySize) is kept.
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<GatewayOptions> options)
{
    private readonly long _limit = options.Value.MaxRequestBodyBytes;

    public Task InvokeAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _limit)
        {
            throw new BadHttpRequestException("The request body is too large.", StatusCodes.Status413PayloadTooLarge);
        }

        // The server's own limit (Kestrel:Limits:MaxRequestBodySize) stands where it is the smaller.
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature
            && (feature.MaxRequestBodySize ?? long.MaxValue) > _limit)
        {
            feature.MaxRequestBodySize = _limit;
        }

        if (HttpMethods.IsPost(context.Request.Method) || HttpMethods.IsPut(context.Request.Method) || HttpMethods.IsPatch(context.Request.Method)
            || HttpMethods.IsDelete(context.Request.Method))
        {
            context.Request.Body = new LimitedReadStream(context.Request.Body, _limit);
        }

        return next(context);
    }
}

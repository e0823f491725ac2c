using Microsoft.Extensions.Primitives;
using Microsoft.Net.Http.Headers;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// The charset of a body's Content-Type, before any route reads it. The framework's JSON reading throws a plain exception
/// (a 500) for a charset no encoding answers to ("application/json; charset=nonsense"), which is refused here with a 415,
/// and for a quoted one (charset="utf-8", valid HTTP), which is passed on unquoted so the body is read.
/// </summary>
internal sealed class RequestCharsetMiddleware(RequestDelegate next)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (MediaTypeHeaderValue.TryParse(context.Request.ContentType, out var type) && type.Charset.HasValue)
        {
            var charset = HeaderUtilities.RemoveQuotes(type.Charset);
            if (!IsKnown(charset))
            {
                throw new BadHttpRequestException("The request body's charset is not a known encoding.", StatusCodes.Status415UnsupportedMediaType);
            }

            if (charset.Length != type.Charset.Length)
            {
                type.Charset = charset;
                context.Request.ContentType = type.ToString();
            }
        }

        return next(context);
    }

    private static bool IsKnown(StringSegment charset)
    {
        try
        {
            // As the framework looks it up when it reads the body.
            _ = System.Text.Encoding.GetEncoding(charset.ToString());
            return true;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }
}

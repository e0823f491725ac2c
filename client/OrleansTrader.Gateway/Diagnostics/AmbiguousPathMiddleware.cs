using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Mvc;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Refuses a request target whose path has a dot segment ("." or "..", also percent-encoded: "%2E") or an empty one ("//",
/// a trailing "/"): where a client left an id empty or sent one of dots. The server decodes "%2E" and resolves dot segments
/// before routing, and routing takes a trailing "/" as none, so "DELETE .../orders/%2E" (an order id of ".") and
/// "DELETE .../orders/" (an empty one) reached "DELETE .../orders" and canceled every order, and "GET .../orders/%2e%2e"
/// answered the account. No route of the API names such a segment. Paths outside "/api" are left to routing.
/// </summary>
internal sealed class AmbiguousPathMiddleware(RequestDelegate next)
{
    private static readonly PathString ApiPath = new("/api");

    public const string Problem = "A path segment is empty (\"//\", a trailing \"/\") or \".\" or \"..\" (also written %2E): it would name another route.";

    public Task InvokeAsync(HttpContext context)
    {
        // Only the API's routes: the explorer's page and the health checks name nothing a dot could turn into another
        // action, and "/explorer/" (a trailing slash typed by hand) keeps opening the page. The path tested is the one
        // the server resolved, so "/explorer/../api/..." is an API request too.
        var target = context.Features.Get<IHttpRequestFeature>()?.RawTarget;
        if (target is null || !context.Request.Path.StartsWithSegments(ApiPath) || !IsAmbiguous(target))
        {
            return next(context);
        }

        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        return context.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["path"] = [Problem] })
            {
                Status = StatusCodes.Status400BadRequest,
                Title = "The request has invalid fields.",
            },
        }).AsTask();
    }

    /// <summary>Whether the path of a raw request target (origin form "/a/b?q", or absolute form "http://host/a/b") has a
    /// dot segment or an empty one (the root "/" aside).</summary>
    internal static bool IsAmbiguous(string target)
    {
        var path = target.AsSpan();
        var query = path.IndexOfAny('?', '#');
        if (query >= 0)
        {
            path = path[..query];
        }

        if (!path.StartsWith("/"))
        {
            // Absolute form: the path starts after the authority.
            var scheme = path.IndexOf("://");
            if (scheme < 0)
            {
                return false;
            }

            var afterAuthority = path[(scheme + 3)..].IndexOf('/');
            if (afterAuthority < 0)
            {
                return false;
            }

            path = path[(scheme + 3 + afterAuthority)..];
        }

        if (path.Length <= 1)
        {
            return false;
        }

        // The first segment is the empty one before the leading "/".
        var first = true;
        foreach (var range in path.Split('/'))
        {
            var segment = path[range];
            if (!first && (segment.IsEmpty || IsDot(segment)))
            {
                return true;
            }

            first = false;
        }

        return false;
    }

    private static bool IsDot(ReadOnlySpan<char> segment)
    {
        // "." and ".." as written, or with either dot as "%2E" (in any case).
        var dots = 0;
        while (!segment.IsEmpty)
        {
            if (segment[0] == '.')
            {
                segment = segment[1..];
            }
            else if (segment.Length >= 3 && segment[0] == '%' && segment[1] == '2' && segment[2] is 'E' or 'e')
            {
                segment = segment[3..];
            }
            else
            {
                return false;
            }

            dots++;
        }

        return dots is 1 or 2;
    }
}

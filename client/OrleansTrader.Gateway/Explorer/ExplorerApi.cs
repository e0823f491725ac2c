using System.Collections.Frozen;
using System.Reflection;
using System.Text;
using System.Text.Encodings.Web;

namespace OrleansTrader.Gateway.Explorer;

/// <summary>
/// GET /explorer: an interactive page for the API (a page, a script, a style sheet and an icon of the gateway's own,
/// embedded in the assembly). The page holds no secret, so it needs no key; every call it makes carries the key the user
/// types in, and the API authorizes it as any other call.
/// </summary>
internal static class ExplorerApi
{
    public const string PagePath = "/explorer";

    // Scripts, styles and fetches only from this origin; no inline code, no frames, no forms posting elsewhere.
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private static readonly FrozenDictionary<string, Asset> Assets = new[]
    {
        Load("index.html", "text/html; charset=utf-8"),
        Load("explorer.js", "text/javascript; charset=utf-8"),
        Load("explorer.css", "text/css; charset=utf-8"),

        // Named by the page, so the browser does not ask for /favicon.ico, a 404 and an error in the page's console.
        Load("favicon.svg", "image/svg+xml"),
    }.ToFrozenDictionary(a => a.Name, StringComparer.Ordinal);

    public static IEndpointRouteBuilder MapExplorer(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet(PagePath, (HttpContext context) => Serve(context, "index.html")).AllowAnonymous().ExcludeFromDescription();
        endpoints.MapGet(PagePath + "/{file}", (HttpContext context, string file) => Serve(context, file)).AllowAnonymous().ExcludeFromDescription();
        return endpoints;
    }

    private static IResult Serve(HttpContext context, string file)
    {
        if (!Assets.TryGetValue(file, out var asset))
        {
            return Results.NotFound();
        }

        var headers = context.Response.Headers;
        headers.ContentSecurityPolicy = ContentSecurityPolicy;
        headers.XContentTypeOptions = "nosniff";
        headers["Referrer-Policy"] = "no-referrer";
        headers.CacheControl = "no-cache";
        return Results.Bytes(file == "index.html" ? Page(context.Request.PathBase) : asset.Content, asset.ContentType);
    }

    // The page names its script and style sheet under the host's path base (a host may UsePathBase("/trader")); the
    // script takes the base from its own address for every call it makes.
    private static byte[] Page(PathString pathBase)
    {
        var template = Encoding.UTF8.GetString(Assets["index.html"].Content);
        return Encoding.UTF8.GetBytes(template.Replace("{pathBase}", HtmlEncoder.Default.Encode(pathBase.ToUriComponent()), StringComparison.Ordinal));
    }

    private static Asset Load(string name, string contentType)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("explorer/" + name)
            ?? throw new InvalidOperationException($"The explorer's {name} is not embedded in the gateway assembly.");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return new Asset(name, contentType, copy.ToArray());
    }

    private sealed record Asset(string Name, string ContentType, byte[] Content);
}

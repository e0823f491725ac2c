using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace OrleansTrader.Gateway;

/// <summary>Describes the API-key bearer scheme in the OpenAPI document and requires it document-wide (health and metrics
/// are the host's public exceptions, stated in the description).</summary>
internal static class BearerSecurityTransformer
{
    public const string SchemeName = "bearer";

    public static Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info.Title = "OrleansTrader API";
        document.Info.Description = "Trading gateway. Every route needs 'Authorization: Bearer <key>' except GET /health/* and, by default, GET /metrics. "
            + "Errors are application/problem+json with a 'reason' code; see docs/api.md.";
        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[SchemeName] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = SchemeName,
            BearerFormat = "ot_<base64url>",
            Description = "An API key issued by POST /api/keys (or the bootstrap admin key printed once at the first start).",
        };
        document.Security ??= [];
        document.Security.Add(new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(SchemeName, document)] = [] });
        return Task.CompletedTask;
    }
}

using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.OpenApi;
using OrleansTrader.Gateway.Security;

namespace OrleansTrader.Gateway;

/// <summary>
/// Lists the errors an operation answers, as application/problem+json: the generator sees only the result types a handler
/// returns, not what the key check, the rate limiter, the body checks, the route values filter or a grain call answer.
/// A route that answers an error the rules below do not give it declares it with <c>ProducesProblem</c>.
/// </summary>
internal static class ProblemResponsesTransformer
{
    private const string ProblemJson = "application/problem+json";

    public static async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        var policies = metadata.OfType<IAuthorizeData>().Select(a => a.Policy).ToList();
        var needsKey = policies.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any();
        var method = context.Description.HttpMethod ?? "GET";
        // Every API route refuses a path with an empty or dot segment (AmbiguousPathMiddleware), before routing; a route
        // outside /api in the document (/metrics) lists it too: more than it answers, never less.
        // Every route in the document is rate limited, one that needs no key (/metrics) by the per-IP limit on requests
        // without a valid key.
        var statuses = new SortedSet<int> { StatusCodes.Status400BadRequest, StatusCodes.Status429TooManyRequests };
        if (needsKey)
        {
            // No, unknown or revoked key; the silo's storage failing the request or the gateway overloaded; a grain call
            // timing out.
            statuses.UnionWith([StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable, StatusCodes.Status504GatewayTimeout]);
            if (policies.Any(p => p != GatewayPolicies.AnyKey))
            {
                statuses.Add(StatusCodes.Status403Forbidden);
            }
        }

        var pathParameters = context.Description.ParameterDescriptions.Where(p => p.Source.Id == "Path").Select(p => p.Name).ToList();
        if (pathParameters.Count > 0)
        {
            // Path ids and symbols are checked before the handler runs (400); an id names something that may not exist (a
            // symbol is answered whether or not data has been seen for it).
            if (pathParameters.Any(p => !string.Equals(p, "symbol", StringComparison.Ordinal)))
            {
                statuses.Add(StatusCodes.Status404NotFound);
            }
        }

        if (operation.RequestBody is not null)
        {
            statuses.UnionWith([StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType]);
        }

        if (needsKey && !HttpMethods.IsGet(method))
        {
            // A command can conflict with the state, be refused by the domain, or fail at the broker.
            statuses.UnionWith([StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity, StatusCodes.Status502BadGateway]);
        }

        operation.Responses ??= [];
        var problem = await context.GetOrCreateSchemaAsync(typeof(ProblemDetails), null, cancellationToken);
        foreach (var status in statuses)
        {
            var key = status.ToString(System.Globalization.CultureInfo.InvariantCulture);
            if (!operation.Responses.ContainsKey(key))
            {
                operation.Responses[key] = new OpenApiResponse
                {
                    Description = ReasonPhrases.GetReasonPhrase(status),
                    Content = new Dictionary<string, OpenApiMediaType>(StringComparer.Ordinal) { [ProblemJson] = new() { Schema = problem } },
                };
            }
        }
    }
}

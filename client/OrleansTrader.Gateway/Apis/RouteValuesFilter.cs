using Microsoft.AspNetCore.Http.Features;
using OrleansTrader.Gateway.Validation;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Refuses malformed ids and symbols in the path with a 400 naming the segment, before any grain is addressed.</summary>
internal sealed class RouteValuesFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var values = context.HttpContext.Request.RouteValues;
        DecodeSymbolSlash(context);
        var errors = new ValidationErrors();
        Check(values, "accountId", Rules.IsId, "Must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'.", errors);
        Check(values, "strategyId", Rules.IsId, "Must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'.", errors);
        Check(values, "keyId", Rules.IsId, "Must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'.", errors);
        Check(values, "webhookId", Rules.IsId, "Must be 1 to 64 characters of A-Z, a-z, 0-9, '-' and '_'.", errors);
        Check(values, "orderId", Rules.IsOrderId, "Must be 1 to 128 characters of A-Z, a-z, 0-9, '-', '_', '.' and ':'.", errors);
        Check(values, "symbol", Rules.IsSymbol, Rules.SymbolProblem, errors);
        return errors.IsEmpty ? next(context) : ValueTask.FromResult<object?>(ApiProblems.Invalid(errors));
    }

    private static void Check(RouteValueDictionary values, string name, Func<string?, bool> rule, string message, ValidationErrors errors)
    {
        if (values.TryGetValue(name, out var value) && !rule(value as string))
        {
            errors.Add(name, message);
        }
    }

    /// <summary>
    /// A class-share symbol's '/' (BRK/B) comes in a path as "%2F", the one escape the server leaves undecoded, as a
    /// '/' would split the segment: the symbol is read with it decoded, for the handler too. Only when the request target's
    /// path has no "%25": the server decodes that to '%', so "%252F" would otherwise be decoded twice into a '/' the
    /// client never sent.
    /// </summary>
    private static void DecodeSymbolSlash(EndpointFilterInvocationContext context)
    {
        var values = context.HttpContext.Request.RouteValues;
        if (values.TryGetValue("symbol", out var value) && value is string symbol
            && symbol.Contains("%2F", StringComparison.OrdinalIgnoreCase)
            && !RawPath(context.HttpContext).Contains("%25", StringComparison.Ordinal))
        {
            var decoded = symbol.Replace("%2F", "/", StringComparison.OrdinalIgnoreCase);
            values["symbol"] = decoded;

            // The handler's symbol argument was bound from the route value before the filter ran. No other argument can
            // hold that text: ids take no '%'.
            for (var i = 0; i < context.Arguments.Count; i++)
            {
                if (context.Arguments[i] is string argument && argument == symbol)
                {
                    context.Arguments[i] = decoded;
                }
            }
        }
    }

    private static string RawPath(HttpContext http)
    {
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget ?? string.Empty;
        var query = target.IndexOf('?', StringComparison.Ordinal);
        return (query >= 0 ? target[..query] : target).ToUpperInvariant();
    }
}

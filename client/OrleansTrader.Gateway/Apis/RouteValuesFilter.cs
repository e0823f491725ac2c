using OrleansTrader.Gateway.Validation;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Refuses malformed ids and symbols in the path with a 400 naming the segment, before any grain is addressed.</summary>
internal sealed class RouteValuesFilter : IEndpointFilter
{
    public ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var values = context.HttpContext.Request.RouteValues;
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
}

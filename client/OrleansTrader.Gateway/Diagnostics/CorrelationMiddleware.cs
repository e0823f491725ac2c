using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Every response carries X-Correlation-Id: the client's when well-formed, else a new one. The id is put in the runtime's
/// RequestContext (so every grain call the request causes carries it) and in a logging scope.
/// </summary>
internal sealed class CorrelationMiddleware(RequestDelegate next, ILogger<CorrelationMiddleware> logger)
{
    public const string HeaderName = "X-Correlation-Id";
    public const int MaxLength = 64;

    public async Task InvokeAsync(HttpContext context)
    {
        var supplied = context.Request.Headers[HeaderName];
        var id = supplied.Count == 1 && IsWellFormed(supplied[0]) ? supplied[0]! : Guid.NewGuid().ToString("N");
        context.Items[HeaderName] = id;

        // Set as the response starts, not now: the exception handler clears the headers before it writes an error.
        context.Response.OnStarting(static state =>
        {
            var (http, correlationId) = ((HttpContext, string))state;
            http.Response.Headers[HeaderName] = correlationId;
            return Task.CompletedTask;
        }, (context, id));
        RequestContext.Set(RequestContextKeys.CorrelationId, id);
        using (logger.BeginScope(new Dictionary<string, object> { [RequestContextKeys.CorrelationId] = id }))
        {
            await next(context);
        }
    }

    public static string? Get(HttpContext context) => context.Items[HeaderName] as string;

    /// <summary>1 to 64 of A-Z a-z 0-9 - _ . : (nothing that could forge a log line or a header).</summary>
    public static bool IsWellFormed(string? value) =>
        value is { Length: > 0 and <= MaxLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}

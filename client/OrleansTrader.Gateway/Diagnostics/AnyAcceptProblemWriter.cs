namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Writes a problem to a client whose Accept header names no JSON type, as the framework's writer would to one that does.
/// The framework's writer declines such a client (a browser's EventSource sends <c>Accept: text/event-stream</c>), and a
/// refusal written through the problem service (a 403, a rate limit's 429, the exception handler's 503) then failed as a
/// 500 with no body and no Retry-After. An error's format is not negotiated: every error is application/problem+json.
/// Registered after the framework's writer, so it is asked only when that one declines.
/// </summary>
internal sealed class AnyAcceptProblemWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);

        // The framework's writer checks the Accept header only in CanWrite; it writes (defaults, customization, JSON) for any.
        var framework = context.HttpContext.RequestServices.GetServices<IProblemDetailsWriter>()
            .First(writer => writer is not AnyAcceptProblemWriter);
        return framework.WriteAsync(context);
    }
}

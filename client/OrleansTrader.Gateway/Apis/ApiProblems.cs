using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>ProblemDetails for the grains' error and reason codes. Every problem names its code in "reason".</summary>
internal static class ApiProblems
{
    /// <summary>The same shape as <see cref="FromCode"/>'s 404: a fixed title, and what is missing in the detail.</summary>
    public static ProblemHttpResult NotFound(string detail, string reason) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: Title(StatusCodes.Status404NotFound), detail: detail, extensions: Reason(reason));

    /// <summary>The same shape as <see cref="FromCode"/>'s 409, for a conflict no grain error code names.</summary>
    public static ProblemHttpResult Conflict(string detail, string reason) =>
        TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: Title(StatusCodes.Status409Conflict), detail: detail, extensions: Reason(reason));

    /// <summary>
    /// The 429 of one of the gateway's own limits (open event streams, backtests running): counted under its policy, with
    /// <c>Retry-After</c> like every other 429 and the reason a client can act on.
    /// </summary>
    public static ProblemHttpResult LimitReached(HttpContext http, string policy, int retryAfterSeconds, string title, string detail, string reason)
    {
        http.RequestServices.GetRequiredService<GatewayMetrics>().RateLimited(policy);
        http.Response.Headers.RetryAfter = retryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: title, detail: detail, extensions: Reason(reason));
    }

    public static ProblemHttpResult AccountNotFound(string accountId) =>
        NotFound($"Account {accountId} does not exist.", AccountErrorCodes.NotOpen);

    /// <summary>
    /// A thing under an account was not found: when the account itself does not exist the answer is ACCOUNT_NOT_OPEN, as on
    /// the account's other routes, else <paramref name="missing"/>. The account is asked only on such a miss.
    /// </summary>
    public static async Task<ProblemHttpResult> MissingUnderAccountAsync(IGrainFactory grains, string accountId, ProblemHttpResult missing) =>
        await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null ? AccountNotFound(accountId) : missing;

    /// <summary><see cref="FromCode"/>, except that <paramref name="notFoundCode"/> under an unknown account is ACCOUNT_NOT_OPEN.</summary>
    public static Task<ProblemHttpResult> FromCodeUnderAccountAsync(
        IGrainFactory grains, string accountId, string notFoundCode, string code, string? message) =>
        code == notFoundCode ? MissingUnderAccountAsync(grains, accountId, FromCode(code, message)) : Task.FromResult(FromCode(code, message));

    public static ValidationProblem Invalid(ValidationErrors errors) =>
        TypedResults.ValidationProblem(errors.ToDictionary(), title: "The request has invalid fields.");

    public static ValidationProblem Invalid(string field, string message)
    {
        var errors = new ValidationErrors();
        errors.Add(field, message);
        return Invalid(errors);
    }

    /// <summary>An account command's error code as an HTTP problem: unknown things 404, conflicts 409, broker trouble 502/503,
    /// and every risk or domain refusal 422 with its code (and the largest passing quantity when known).</summary>
    public static ProblemHttpResult FromCode(string code, string? message, decimal? maxQuantity = null)
    {
        var status = code switch
        {
            AccountErrorCodes.NotOpen or AccountErrorCodes.OrderNotFound or StrategyErrorCodes.NotFound or WebhookErrorCodes.NotFound => StatusCodes.Status404NotFound,
            AccountErrorCodes.AlreadyOpen or AccountErrorCodes.OrderNotCancelable or AccountErrorCodes.OrderNotReplaceable
                or AccountErrorCodes.PositionFlat or StrategyErrorCodes.AlreadyExists or StrategyErrorCodes.Limit or AccountErrorCodes.TransferIdReused
                or WebhookErrorCodes.AlreadyExists or WebhookErrorCodes.Limit or AccountErrorCodes.SettingsChanged => StatusCodes.Status409Conflict,

            // A working order whose state refuses the replace or cancel (one still pending, not yet acknowledged) is the
            // same conflict as a final one.
            OrderTransitionReasons.OrderIsFinal or OrderTransitionReasons.NotAcknowledged or OrderTransitionReasons.CancelAlreadyPending
                or OrderTransitionReasons.ReplaceAlreadyPending => StatusCodes.Status409Conflict,
            AccountErrorCodes.BrokerUnavailable => StatusCodes.Status503ServiceUnavailable,
            AccountErrorCodes.BrokerError => StatusCodes.Status502BadGateway,
            _ => StatusCodes.Status422UnprocessableEntity,
        };
        var extensions = Reason(code);
        if (maxQuantity is { } max)
        {
            extensions["maxQuantity"] = max;
        }

        return TypedResults.Problem(statusCode: status, title: Title(status), detail: message, extensions: extensions);
    }

    /// <summary><see cref="FromCode"/>, with the order rules that failed in "causes" (QUANTITY_INVALID, ORDER_INVALID).</summary>
    public static ProblemHttpResult FromDenial(OrderDenial denial)
    {
        var problem = FromCode(denial.ReasonCode, denial.Message, denial.MaxQuantity);
        if (denial.Causes is { Count: > 0 } causes)
        {
            problem.ProblemDetails.Extensions["causes"] = causes.ToArray();
        }

        return problem;
    }

    private static string Title(int status) => status switch
    {
        StatusCodes.Status404NotFound => "Not found.",
        StatusCodes.Status409Conflict => "The request conflicts with the current state.",
        StatusCodes.Status503ServiceUnavailable => "The broker is not available.",
        StatusCodes.Status502BadGateway => "The broker failed.",
        _ => "The request was refused.",
    };

    private static Dictionary<string, object?> Reason(string code) => new(StringComparer.Ordinal) { ["reason"] = code };
}

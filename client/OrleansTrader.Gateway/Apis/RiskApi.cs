using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Risk limits, the account's circuit breaker and the global kill switch. Changes need the risk role and are
/// audited by the breaker with the key id as actor.</summary>
public static class RiskApi
{
    // A partial change merged again this often, the values changing under it each time, is refused 409 ACCOUNT_SETTINGS_CHANGED.
    private const int MaxMergeAttempts = 5;

    public static IEndpointRouteBuilder MapRiskApi(this IEndpointRouteBuilder endpoints)
    {
        var account = endpoints.MapGroup("/api/accounts/{accountId}").WithTags("Risk").AddEndpointFilter<RouteValuesFilter>();
        account.MapGet("/risk", GetRiskLimitsAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetRiskLimits").WithSummary("The account's pre-trade risk limits.");
        account.MapPut("/risk", SetRiskLimitsAsync).RequireAuthorization(GatewayPolicies.AccountRisk)
            .WithName("SetRiskLimits").WithSummary("Changes the account's risk limits; omitted fields keep their value (risk role).");
        account.MapGet("/breaker", GetBreakerAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetBreaker").WithSummary("The account's breaker and the global kill switch.");
        account.MapPost("/breaker/trip", TripAsync).RequireAuthorization(GatewayPolicies.AccountRisk)
            .ExemptFromLoadShedding()
            .WithName("TripBreaker").WithSummary("Trips the account's breaker to halted (default) or reducing (risk role).");
        account.MapPost("/breaker/reset", ResetAsync).RequireAuthorization(GatewayPolicies.AccountRisk)
            .WithName("ResetBreaker").WithSummary("Resets the account's breaker to active (risk role; force overrides a trigger that still holds).");
        account.MapGet("/breaker/policy", GetBreakerPolicyAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetBreakerPolicy").WithSummary("The thresholds the account's breaker trips on.");
        account.MapPut("/breaker/policy", SetBreakerPolicyAsync).RequireAuthorization(GatewayPolicies.AccountRisk)
            .WithName("SetBreakerPolicy").WithSummary("Changes the breaker's thresholds, judged at once; omitted fields keep their value (risk role).");
        account.MapGet("/breaker/audit", GetBreakerAuditAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetBreakerAudit").WithSummary("The account breaker's transitions, oldest first, after a version.");
        var trading = endpoints.MapGroup("/api/trading").WithTags("Risk");
        trading.MapPost("/halt", HaltAsync).RequireAuthorization(GatewayPolicies.Risk)
            .ExemptFromLoadShedding()
            .WithName("HaltTrading").WithSummary("Global kill switch: halts (or reduces) every account (risk role).");
        trading.MapPost("/resume", ResumeAsync).RequireAuthorization(GatewayPolicies.Risk)
            .WithName("ResumeTrading").WithSummary("Resets the global kill switch to active (risk role).");
        trading.MapGet("/audit", GetGlobalAuditAsync).RequireAuthorization(GatewayPolicies.AnyKey)
            .WithName("GetGlobalBreakerAudit").WithSummary("The global kill switch's transitions, oldest first, after a version.");
        return endpoints;
    }

    internal static async Task<Results<Ok<RiskLimits>, ProblemHttpResult>> GetRiskLimitsAsync(string accountId, IGrainFactory grains) =>
        await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is { } limits
            ? TypedResults.Ok(limits)
            : ApiProblems.AccountNotFound(accountId);

    internal static Task<Results<Ok<RiskLimits>, ValidationProblem, ProblemHttpResult>> SetRiskLimitsAsync(
        string accountId, RiskLimitsRequest request, IGrainFactory grains)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        return MergeAndStoreAsync(
            accountId,
            account.GetRiskLimitsAsync,
            (current, errors) => RequestMapping.CheckRiskLimits(RequestMapping.Merge(current ?? RiskLimits.Default, request), prefix: string.Empty, errors),
            (limits, current) => account.SetRiskLimitsAsync(limits, expected: current));
    }

    /// <summary>
    /// A partial change merged into the settings as read, and stored only while they still are those: a change stored in
    /// between is read and merged into in turn. Written over with the values read before it, a limit another request had
    /// just tightened was loosened again, both requests answered 200.
    /// </summary>
    private static async Task<Results<Ok<T>, ValidationProblem, ProblemHttpResult>> MergeAndStoreAsync<T>(
        string accountId, Func<Task<T?>> read, Func<T?, ValidationErrors, T?> merge, Func<T, T, Task<AccountCommandResult>> store)
        where T : class
    {
        for (var attempt = 1; ; attempt++)
        {
            var errors = new ValidationErrors();
            var current = await read();
            if (merge(current, errors) is not { } merged)
            {
                return ApiProblems.Invalid(errors);
            }

            if (current is null)
            {
                return ApiProblems.AccountNotFound(accountId);
            }

            var result = await store(merged, current);
            if (result.ErrorCode == AccountErrorCodes.SettingsChanged && attempt < MaxMergeAttempts)
            {
                continue;
            }

            return result.Succeeded ? TypedResults.Ok(merged) : ApiProblems.FromCode(result.ErrorCode ?? AccountErrorCodes.Invalid, result.Message);
        }
    }

    internal static async Task<Results<Ok<TradingStateResponse>, ProblemHttpResult>> GetBreakerAsync(string accountId, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        return TypedResults.Ok(new TradingStateResponse
        {
            Account = await grains.GetGrain<IBreakerGrain>(accountId).GetStateAsync(),
            Global = await grains.GetGrain<IBreakerGrain>(BreakerKeys.Global).GetStateAsync(),
        });
    }

    internal static async Task<Results<Ok<BreakerPolicy>, ProblemHttpResult>> GetBreakerPolicyAsync(string accountId, IGrainFactory grains) =>
        await grains.GetGrain<IAccountGrain>(accountId).GetBreakerPolicyAsync() is { } policy
            ? TypedResults.Ok(policy)
            : ApiProblems.AccountNotFound(accountId);

    internal static Task<Results<Ok<BreakerPolicy>, ValidationProblem, ProblemHttpResult>> SetBreakerPolicyAsync(
        string accountId, BreakerPolicyRequest request, IGrainFactory grains)
    {
        // A daily loss limit lowered by one request is not raised again by another that changed only the drawdown.
        var account = grains.GetGrain<IAccountGrain>(accountId);
        return MergeAndStoreAsync(
            accountId,
            account.GetBreakerPolicyAsync,
            (current, errors) => RequestMapping.CheckBreakerPolicy(RequestMapping.Merge(current ?? BreakerPolicy.Default, request), prefix: string.Empty, errors),
            (policy, current) => account.SetBreakerPolicyAsync(policy, expected: current));
    }

    internal static async Task<Results<Ok<IReadOnlyList<BreakerAuditEntry>>, ValidationProblem, ProblemHttpResult>> GetBreakerAuditAsync(
        string accountId, IGrainFactory grains, HttpResponse response, long? after, int? limit)
    {
        if (Paging.Check(after, limit, "after") is { } invalid)
        {
            return invalid;
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        return await AuditPageAsync(grains.GetGrain<IBreakerGrain>(accountId), response, after, limit);
    }

    internal static async Task<Results<Ok<IReadOnlyList<BreakerAuditEntry>>, ValidationProblem>> GetGlobalAuditAsync(
        IGrainFactory grains, HttpResponse response, long? after, int? limit) =>
        Paging.Check(after, limit, "after") is { } invalid
            ? invalid
            : await AuditPageAsync(grains.GetGrain<IBreakerGrain>(BreakerKeys.Global), response, after, limit);

    /// <summary>The transitions after the version, with the headers the journal's pages carry: the audit keeps the latest 1,000.</summary>
    private static async Task<Ok<IReadOnlyList<BreakerAuditEntry>>> AuditPageAsync(IBreakerGrain breaker, HttpResponse response, long? after, int? limit)
    {
        var page = await breaker.GetAuditPageAsync(after ?? 0, limit ?? Paging.DefaultLimit);
        Paging.DescribeHistory(response, page.Truncated, page.OldestVersion);
        return TypedResults.Ok(page.Entries);
    }

    internal static async Task<Results<Ok<BreakerSnapshot>, ValidationProblem, ProblemHttpResult>> TripAsync(
        string accountId, BreakerTripRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new ValidationErrors();
        var state = RequestMapping.ToTripState(request, errors);
        if (state is null)
        {
            return ApiProblems.Invalid(errors);
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        return Answer(await grains.GetGrain<IBreakerGrain>(accountId).TripAsync(state.Value, Actor(user), request.Reason!));
    }

    internal static async Task<Results<Ok<BreakerSnapshot>, ValidationProblem, ProblemHttpResult>> ResetAsync(
        string accountId, BreakerResetRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new ValidationErrors();
        var state = RequestMapping.ToResetState(request, errors);
        if (state is null)
        {
            return ApiProblems.Invalid(errors);
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        return Answer(await grains.GetGrain<IBreakerGrain>(accountId).ResetAsync(state.Value, Actor(user), request.Reason!, request.Force ?? false));
    }

    internal static async Task<Results<Ok<BreakerSnapshot>, ValidationProblem, ProblemHttpResult>> HaltAsync(
        BreakerTripRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new ValidationErrors();
        var state = RequestMapping.ToTripState(request, errors);
        return state is null
            ? ApiProblems.Invalid(errors)
            : Answer(await grains.GetGrain<IBreakerGrain>(BreakerKeys.Global).TripAsync(state.Value, Actor(user), request.Reason!));
    }

    internal static async Task<Results<Ok<BreakerSnapshot>, ValidationProblem, ProblemHttpResult>> ResumeAsync(
        BreakerResetRequest request, IGrainFactory grains, ClaimsPrincipal user)
    {
        var errors = new ValidationErrors();
        var state = RequestMapping.ToResetState(request, errors);
        return state is null
            ? ApiProblems.Invalid(errors)
            : Answer(await grains.GetGrain<IBreakerGrain>(BreakerKeys.Global).ResetAsync(state.Value, Actor(user), request.Reason!, request.Force ?? false));
    }

    /// <summary>The audited actor: the key id (never the key), with the risk role the policy already checked.</summary>
    private static BreakerActor Actor(ClaimsPrincipal user) => new("key:" + (user.KeyId() ?? "unknown"), HasRiskRole: user.HasRole(ApiKeyRoles.Risk));

    private static Results<Ok<BreakerSnapshot>, ValidationProblem, ProblemHttpResult> Answer(BreakerCommandResult result) =>
        result.Succeeded ? TypedResults.Ok(result.Snapshot) : ApiProblems.FromCode(result.ErrorCode ?? "BREAKER_REFUSED", result.Message);
}

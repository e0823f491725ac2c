using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Strategy instances of an account (create, list, get, start, stop, change parameters, delete), the kinds, and backtests.</summary>
public static class StrategiesApi
{
    /// <summary>The reason of the 429 for a backtest or sweep while Gateway:Backtests:MaxConcurrent are running.</summary>
    public const string BacktestLimitReason = "BACKTEST_LIMIT";

    // A sweep near its bound runs for seconds: sooner would mostly be refused again.
    private const int BacktestRetryAfterSeconds = 5;

    public static IEndpointRouteBuilder MapStrategiesApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/accounts/{accountId}/strategies").WithTags("Strategies").AddEndpointFilter<RouteValuesFilter>();
        group.MapPost("", CreateAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .WithName("CreateStrategy").WithSummary("Creates a strategy (stopped unless start is true).");
        group.MapGet("", ListAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("ListStrategies").WithSummary("The account's strategies.");
        group.MapGet("/{strategyId}", GetAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetStrategy").WithSummary("One strategy's configuration and counters.");
        group.MapGet("/{strategyId}/performance", GetPerformanceAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetStrategyPerformance")
            .WithSummary("The strategy's own P&L by day (trading dates: UTC, or New York's on the NYSE calendar) from, to (both included; default all kept), today's so far last.");
        group.MapGet("/{strategyId}/trades", GetTradesAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetStrategyTrades")
            .WithSummary("The closed trades of the strategy's own positions, newest first, as the account's trades route answers them.");
        group.MapDelete("/{strategyId}", DeleteAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .WithName("DeleteStrategy").WithSummary("Stops and forgets a strategy.");
        group.MapPost("/{strategyId}/start", StartAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .WithName("StartStrategy").WithSummary("Starts a strategy.");
        group.MapPost("/{strategyId}/stop", StopAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .ExemptFromLoadShedding()
            .WithName("StopStrategy").WithSummary("Stops a strategy.");
        group.MapPut("/{strategyId}/parameters", SetParametersAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .WithName("SetStrategyParameters").WithSummary("Replaces the parameters; the strategy restarts from a fresh snapshot.");
        endpoints.MapGet("/api/strategy-kinds", ListKinds).RequireAuthorization(GatewayPolicies.AnyKey).WithTags("Strategies")
            .WithName("ListStrategyKinds").WithSummary("The strategy kinds the silo runs, built in and registered, with their parameters.");
        endpoints.MapPost("/api/backtests", BacktestAsync).RequireAuthorization(GatewayPolicies.AnyKey).WithTags("Strategies")
            .WithName("RunBacktest").WithSummary("Backtests a strategy kind on the latest bars of its symbols; nothing is traded or stored.");
        endpoints.MapPost("/api/backtests/sweep", SweepAsync).RequireAuthorization(GatewayPolicies.AnyKey).WithTags("Strategies")
            .WithName("RunBacktestSweep").WithSummary("Backtests a strategy kind once per combination of a parameter grid, on the same bars, ranked.");
        endpoints.MapGet("/api/backtests/files", ListBacktestFilesAsync).RequireAuthorization(GatewayPolicies.AnyKey).WithTags("Strategies")
            .WithName("ListBacktestFiles").WithSummary("The symbols and dates the silo's folder of market-data files holds for backtests.")
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity); // BACKTEST_NO_FILES, without a folder
        return endpoints;
    }

    /// <summary>
    /// The silo's registry of kinds (the gateway runs in the silo's process); a gateway hosted without the trading grains
    /// knows the built-in kinds only.
    /// </summary>
    internal static Ok<IReadOnlyList<StrategyKindInfo>> ListKinds(IServiceProvider services)
    {
        var registry = services.GetService<StrategyRegistry>() ?? new StrategyRegistry([]);

        // How many symbols a request may give: a kind registered with more than the API takes lists the API's limit.
        return TypedResults.Ok<IReadOnlyList<StrategyKindInfo>>(
            [.. registry.Kinds.Select(kind => new StrategyKindInfo(kind, !registry.IsCustom(kind), registry.ParameterNames(kind),
                Math.Min(registry.MaxSymbols(kind), RequestMapping.MaxStrategySymbols)))]);
    }

    internal static async Task<Results<Ok<BacktestReport>, ValidationProblem, ProblemHttpResult>> BacktestAsync(
        RunBacktestRequest request, IGrainFactory grains, HttpContext http)
    {
        var errors = new ValidationErrors();
        var command = RequestMapping.ToRunBacktest(request, errors);
        if (command is null)
        {
            return ApiProblems.Invalid(errors);
        }

        // Held until the backtest ends, whether or not the client is still there to read it: the work runs that long.
        var lease = TryLeaseBacktestSlot(http, out var busy);
        if (lease is null)
        {
            return busy!;
        }

        BacktestAnswer answer;
        try
        {
            answer = await grains.GetGrain<IBacktestGrain>(0).RunAsync(command);
        }
        finally
        {
            lease.ReleaseUnlessTaken();
        }

        return answer is { Succeeded: true, Report: { } report }
            ? TypedResults.Ok(MoneyReport.Round(report))
            : ApiProblems.FromCode(answer.ErrorCode ?? StrategyErrorCodes.InvalidParameters, answer.Message);
    }

    internal static async Task<Results<Ok<BacktestSweepReport>, ValidationProblem, ProblemHttpResult>> SweepAsync(
        RunBacktestSweepRequest request, IGrainFactory grains, HttpContext http)
    {
        var errors = new ValidationErrors();
        var command = RequestMapping.ToRunBacktestSweep(request, errors);
        if (command is null)
        {
            return ApiProblems.Invalid(errors);
        }

        var lease = TryLeaseBacktestSlot(http, out var busy);
        if (lease is null)
        {
            return busy!;
        }

        // The sweep stops between its runs once the client hangs up (an in-process token: the gateway runs in the silo).
        RequestContext.Set(RequestContextKeys.RequestAborted, http.RequestAborted);
        BacktestSweepAnswer answer;
        try
        {
            answer = await grains.GetGrain<IBacktestGrain>(0).SweepAsync(command);
        }
        finally
        {
            lease.ReleaseUnlessTaken();
        }

        return answer is { Succeeded: true, Report: { } report }
            ? TypedResults.Ok(MoneyReport.Round(report))
            : ApiProblems.FromCode(answer.ErrorCode ?? StrategyErrorCodes.InvalidParameters, answer.Message);
    }

    /// <summary>
    /// A slot of Gateway:Backtests:MaxConcurrent, or null and the 429 that refuses the request: refused at once, not queued,
    /// as a queued one ran out of the grain call's time behind the running ones and answered 504 having done nothing. The
    /// slot goes to the call's grain as a lease it frees when the backtest ends: freed at a 504 (the call's timeout), it let
    /// retries run more than the most allowed beside a backtest still running.
    /// </summary>
    private static BacktestLease? TryLeaseBacktestSlot(HttpContext http, out ProblemHttpResult? busy)
    {
        busy = null;
        if (http.RequestServices.GetRequiredService<BacktestSlots>().TryAcquire() is { } slot)
        {
            var lease = new BacktestLease(slot.Dispose);
            RequestContext.Set(RequestContextKeys.BacktestLease, lease);
            return lease;
        }

        var max = http.RequestServices.GetRequiredService<IOptions<GatewayOptions>>().Value.Backtests.MaxConcurrent;
        busy = ApiProblems.LimitReached(http, "backtests", BacktestRetryAfterSeconds, "Too many backtests running.",
            $"The silo runs at most {max} backtests and sweeps at once, for all keys together; try again when one has ended.",
            BacktestLimitReason);
        return null;
    }

    internal static async Task<Results<Ok<IReadOnlyList<BacktestFileSet>>, ProblemHttpResult>> ListBacktestFilesAsync(IGrainFactory grains) =>
        await grains.GetGrain<IBacktestGrain>(0).ListFilesAsync() is { } files
            ? TypedResults.Ok(files)
            : ApiProblems.FromCode(StrategyErrorCodes.NoFiles, StrategyErrorCodes.NoFilesMessage);

    internal static async Task<Results<Created<StrategyStatus>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string accountId, CreateStrategyRequest request, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        var command = RequestMapping.ToCreateStrategy(request, errors);
        if (command is null)
        {
            return ApiProblems.Invalid(errors);
        }

        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var strategyId = request.StrategyId ?? "str-" + Guid.NewGuid().ToString("N")[..12];
        if (!await grains.GetGrain<IStrategyDirectoryGrain>(accountId).AddAsync(strategyId))
        {
            // Not STRATEGY_ALREADY_EXISTS: the id is new, and a client reading that reason would take its id for taken.
            return ApiProblems.Conflict(
                $"Account {accountId} holds the most strategies an account may have ({StrategyLimits.MaxPerAccount}): delete one first.",
                StrategyErrorCodes.Limit);
        }

        var result = await Strategy(grains, accountId, strategyId).CreateAsync(command);
        if (result is { Succeeded: true, Status: { } status })
        {
            return TypedResults.Created($"/api/accounts/{accountId}/strategies/{strategyId}", MoneyReport.Round(status));
        }

        // A refused create has given the place back itself, in the strategy's turn (see StrategyGrain.CreateAsync).
        return ApiProblems.FromCode(result.ErrorCode ?? StrategyErrorCodes.InvalidParameters, result.Message);
    }

    internal static async Task<Results<Ok<IReadOnlyList<StrategyStatus>>, ProblemHttpResult>> ListAsync(string accountId, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var ids = await grains.GetGrain<IStrategyDirectoryGrain>(accountId).ListAsync();
        var statuses = await Task.WhenAll(ids.Select(id => Strategy(grains, accountId, id).GetStatusAsync()));
        return TypedResults.Ok<IReadOnlyList<StrategyStatus>>([.. statuses.OfType<StrategyStatus>().Select(MoneyReport.Round)]);
    }

    internal static async Task<Results<Ok<StrategyStatus>, ProblemHttpResult>> GetAsync(string accountId, string strategyId, IGrainFactory grains) =>
        await Strategy(grains, accountId, strategyId).GetStatusAsync() is { } status
            ? TypedResults.Ok(MoneyReport.Round(status))
            : await NotFoundAsync(grains, accountId, strategyId);

    internal static async Task<Results<Ok<StrategyPerformance>, ValidationProblem, ProblemHttpResult>> GetPerformanceAsync(
        string accountId, string strategyId, IGrainFactory grains, DateOnly? from, DateOnly? to)
    {
        if (from > to)
        {
            return ApiProblems.Invalid("from", "Must not be after \"to\".");
        }

        return await Strategy(grains, accountId, strategyId).GetPerformanceAsync(from, to) is { } performance
            ? TypedResults.Ok(MoneyReport.Round(performance))
            : await NotFoundAsync(grains, accountId, strategyId);
    }

    internal static async Task<Results<Ok<TradeHistory>, ValidationProblem, ProblemHttpResult>> GetTradesAsync(
        string accountId, string strategyId, IGrainFactory grains, HttpResponse response, DateOnly? from, DateOnly? to, string? symbol, long? before, int? limit)
    {
        if (TradeQueries.Check(from, to, symbol, before, limit) is { } invalid)
        {
            return invalid;
        }

        return await Strategy(grains, accountId, strategyId).GetTradesAsync(TradeQueries.Of(from, to, symbol, before, limit)) is { } trades
            ? TradeQueries.Answer(response, trades)
            : await NotFoundAsync(grains, accountId, strategyId);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string accountId, string strategyId, IGrainFactory grains)
    {
        // The strategy takes itself out of the account's directory, in its own turn, whether it existed or not.
        var result = await Strategy(grains, accountId, strategyId).DeleteAsync();
        return result.Succeeded ? TypedResults.NoContent() : await ProblemAsync(grains, accountId, result.ErrorCode ?? StrategyErrorCodes.NotFound, result.Message);
    }

    internal static async Task<Results<Ok<StrategyStatus>, ProblemHttpResult>> StartAsync(string accountId, string strategyId, IGrainFactory grains) =>
        await AnswerAsync(grains, accountId, await Strategy(grains, accountId, strategyId).StartAsync());

    internal static async Task<Results<Ok<StrategyStatus>, ProblemHttpResult>> StopAsync(string accountId, string strategyId, IGrainFactory grains) =>
        await AnswerAsync(grains, accountId, await Strategy(grains, accountId, strategyId).StopAsync());

    internal static async Task<Results<Ok<StrategyStatus>, ValidationProblem, ProblemHttpResult>> SetParametersAsync(
        string accountId, string strategyId, StrategyParametersRequest request, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        if (request.Parameters is null)
        {
            errors.Add("parameters", "Is required.");
        }

        RequestMapping.CheckParameters(request.Parameters, errors);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Invalid(errors);
        }

        var result = await Strategy(grains, accountId, strategyId).UpdateParametersAsync(request.Parameters!);
        return result is { Succeeded: true, Status: { } status }
            ? TypedResults.Ok(MoneyReport.Round(status))
            : await ProblemAsync(grains, accountId, result.ErrorCode ?? StrategyErrorCodes.InvalidParameters, result.Message);
    }

    private static IStrategyGrain Strategy(IGrainFactory grains, string accountId, string strategyId) =>
        grains.GetGrain<IStrategyGrain>(StrategyKey.Create(accountId, strategyId));

    private static async Task<Results<Ok<StrategyStatus>, ProblemHttpResult>> AnswerAsync(IGrainFactory grains, string accountId, StrategyCommandResult result) =>
        result is { Succeeded: true, Status: { } status }
            ? TypedResults.Ok(MoneyReport.Round(status))
            : await ProblemAsync(grains, accountId, result.ErrorCode ?? StrategyErrorCodes.NotFound, result.Message);

    private static Task<ProblemHttpResult> NotFoundAsync(IGrainFactory grains, string accountId, string strategyId) =>
        ApiProblems.MissingUnderAccountAsync(grains, accountId,
            ApiProblems.NotFound($"Strategy {strategyId} does not exist in account {accountId}.", StrategyErrorCodes.NotFound));

    private static Task<ProblemHttpResult> ProblemAsync(IGrainFactory grains, string accountId, string code, string? message) =>
        ApiProblems.FromCodeUnderAccountAsync(grains, accountId, StrategyErrorCodes.NotFound, code, message);
}

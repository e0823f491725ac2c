using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Accounts: open (admin), list, figures, positions (and closing one or all), fills, the order journal and performance by day.</summary>
public static class AccountsApi
{
    public const int MaxPageSize = 500;

    public static IEndpointRouteBuilder MapAccountsApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/accounts").WithTags("Accounts").AddEndpointFilter<RouteValuesFilter>();
        group.MapPost("", CreateAccountAsync).RequireAuthorization(GatewayPolicies.Admin)
            .WithName("CreateAccount").WithSummary("Opens a paper account (admin).");
        group.MapGet("", ListAccountsAsync).RequireAuthorization(GatewayPolicies.AnyKey)
            .WithName("ListAccounts").WithSummary("The open accounts the key may see (every one for an admin or a \"*\" key), in account id order; limit, after (an account id).");
        group.MapGet("/{accountId}", GetAccountAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetAccount").WithSummary("Cash, equity, buying power, reservations, P&L, fees and trading state.");
        group.MapGet("/{accountId}/positions", GetPositionsAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetPositions").WithSummary("Open positions with their valuation.");
        group.MapDelete("/{accountId}/positions/{symbol}", ClosePositionAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .ExemptFromLoadShedding()
            .WithName("ClosePosition").WithSummary("Sends a market order that flattens the position.");
        group.MapDelete("/{accountId}/positions", CloseAllPositionsAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .ExemptFromLoadShedding()
            .WithName("CloseAllPositions")
            .WithSummary("Sends a market order that flattens each open position, after cancelling every working order when cancelOrders=true; one outcome per position.");
        group.MapGet("/{accountId}/fills", GetFillsAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetFills").WithSummary("Fills in application order after a sequence.");
        group.MapGet("/{accountId}/journal", GetJournalAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetJournal").WithSummary("Order state changes with their risk decisions, after a sequence.");
        group.MapGet("/{accountId}/performance", GetPerformanceAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetPerformance")
            .WithSummary("The account's days (trading dates: UTC, or New York's on the NYSE calendar) from, to (both included; default all kept), today's so far last, with P&L, return, Sharpe, drawdown.");
        group.MapPost("/{accountId}/transfers", TransferCashAsync).RequireAuthorization(GatewayPolicies.Admin)
            .WithName("TransferCash")
            .WithSummary("Moves cash into (positive amount) or out of (negative) a paper account (admin): 201 with the transfer; 200 with the first one for a repeated transferId; 409 for that id with another amount; 422 INSUFFICIENT_CASH, or CASH_LIMIT for a deposit past the most an account may hold.");
        group.MapGet("/{accountId}/transfers", GetTransfersAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetTransfers").WithSummary("The account's cash transfers, newest first (the newest 1,000).");
        group.MapGet("/{accountId}/trades", GetTradesAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetTrades")
            .WithSummary("Closed trades (round trips), newest first, by exit date from, to (trading dates as the days', both included), symbol and before a trade number; the open ones; win rate, profit factor, best and worst.");
        return endpoints;
    }

    internal static async Task<Results<Ok<IReadOnlyList<AccountListing>>, ValidationProblem>> ListAccountsAsync(
        IGrainFactory grains, System.Security.Claims.ClaimsPrincipal user, int? limit, string? after)
    {
        if (Paging.Check(null, limit, "after") is { } invalid)
        {
            return invalid;
        }

        if (after is not null && !Rules.IsId(after))
        {
            return ApiProblems.Invalid("after", "Must be an account id.");
        }

        var directory = grains.GetGrain<IAccountDirectoryGrain>(IAccountDirectoryGrain.Default);
        var take = limit ?? Paging.DefaultLimit;
        if (user.CoversAllAccounts())
        {
            return TypedResults.Ok(await directory.ListAsync(after, take));
        }

        // A key names at most 100 accounts: find them all, then page, so a page is short only at the end.
        var own = await directory.FindAsync(user.NamedAccounts());
        return TypedResults.Ok<IReadOnlyList<AccountListing>>([.. own.Where(a => after is null || string.CompareOrdinal(a.AccountId, after) > 0).Take(take)]);
    }

    internal static async Task<Results<Created<AccountSnapshot>, ValidationProblem, ProblemHttpResult>> CreateAccountAsync(
        CreateAccountRequest request, IGrainFactory grains, IOptions<GatewayOptions> options)
    {
        var errors = new ValidationErrors();
        var command = RequestMapping.ToOpenAccount(request, options.Value.AllowAlpacaAccounts, errors);
        if (command is null)
        {
            return ApiProblems.Invalid(errors);
        }

        var accountId = request.AccountId ?? "acc-" + Guid.NewGuid().ToString("N")[..12];
        var account = grains.GetGrain<IAccountGrain>(accountId);

        // The account's own answer tells an opening from a repeat: a snapshot read first would let concurrent creations
        // all see "not open" and all answer 201.
        var result = await account.OpenAsync(command);
        if (result.Existing)
        {
            return ApiProblems.FromCode(AccountErrorCodes.AlreadyOpen, $"Account {accountId} already exists.");
        }

        if (!result.Succeeded)
        {
            return ApiProblems.FromCode(result.ErrorCode ?? AccountErrorCodes.Invalid, result.Message);
        }

        var snapshot = await account.GetSnapshotAsync();
        return snapshot is null
            ? ApiProblems.AccountNotFound(accountId)
            : TypedResults.Created($"/api/accounts/{accountId}", MoneyReport.Round(snapshot));
    }

    internal static async Task<Results<Ok<AccountSnapshot>, ProblemHttpResult>> GetAccountAsync(string accountId, IGrainFactory grains) =>
        await grains.GetGrain<IAccountGrain>(accountId).GetSnapshotAsync() is { } snapshot
            ? TypedResults.Ok(MoneyReport.Round(snapshot))
            : ApiProblems.AccountNotFound(accountId);

    internal static async Task<Results<Ok<IReadOnlyList<AccountPosition>>, ProblemHttpResult>> GetPositionsAsync(string accountId, IGrainFactory grains)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        return await account.GetSnapshotAsync() is null
            ? ApiProblems.AccountNotFound(accountId)
            : TypedResults.Ok(MoneyReport.Round(await account.GetPositionsAsync()));
    }

    internal static async Task<Results<Ok<AccountOrder>, ValidationProblem, ProblemHttpResult>> ClosePositionAsync(
        string accountId, string symbol, IGrainFactory grains)
    {
        if (!Rules.IsSymbol(symbol))
        {
            return ApiProblems.Invalid("symbol", Rules.SymbolProblem);
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).ClosePositionAsync(symbol);
        return result.Denial is { } denial ? ApiProblems.FromDenial(denial) : TypedResults.Ok(result.Order!);
    }

    internal static async Task<Results<Ok<IReadOnlyList<PositionCloseOutcome>>, ProblemHttpResult>> CloseAllPositionsAsync(
        string accountId, IGrainFactory grains, bool? cancelOrders)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetSnapshotAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var results = await account.CloseAllPositionsAsync(cancelOrders ?? false);
        return TypedResults.Ok<IReadOnlyList<PositionCloseOutcome>>([.. results.Select(r => new PositionCloseOutcome
        {
            Symbol = r.Symbol,
            Order = r.Result.Order,
            Reason = r.Result.Denial?.ReasonCode,
            Message = r.Result.Denial?.Message,
        })]);
    }

    internal static async Task<Results<Ok<IReadOnlyList<AccountFill>>, ValidationProblem, ProblemHttpResult>> GetFillsAsync(
        string accountId, IGrainFactory grains, HttpResponse response, long? afterSequence, int? limit)
    {
        if (Paging.Check(afterSequence, limit, "afterSequence") is { } invalid)
        {
            return invalid;
        }

        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetSnapshotAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var page = await account.GetFillPageAsync(afterSequence ?? 0, limit ?? Paging.DefaultLimit);
        Paging.DescribeHistory(response, page.Truncated, page.OldestSequence);
        return TypedResults.Ok(MoneyReport.Round(page.Fills));
    }

    internal static async Task<Results<Created<CashTransfer>, Ok<CashTransfer>, ValidationProblem, ProblemHttpResult>> TransferCashAsync(
        string accountId, TransferCashRequest request, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        if (string.IsNullOrEmpty(request.TransferId))
        {
            errors.Add("transferId", "Required: your id for the transfer, so a retry does not move cash twice.");
        }
        else if (CashTransferRules.TransferIdProblem(request.TransferId) is { } transferIdProblem)
        {
            errors.Add("transferId", transferIdProblem);
        }

        if (request.Amount is null)
        {
            errors.Add("amount", "Required: positive to deposit, negative to withdraw.");
        }
        else if (CashTransferRules.AmountProblem(request.Amount.Value) is { } amountProblem)
        {
            errors.Add("amount", amountProblem);
        }

        // Checked here, before the account is called, as every body is: an invalid transfer was 404 to an unknown account.
        if (CashTransferRules.NoteProblem(request.Note) is { } noteProblem)
        {
            errors.Add("note", noteProblem);
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Invalid(errors);
        }

        var account = grains.GetGrain<IAccountGrain>(accountId);
        var result = await account.TransferCashAsync(new TransferCash { TransferId = request.TransferId!, Amount = request.Amount!.Value, Note = request.Note });
        if (result.Transfer is not { } transfer)
        {
            return result.Field is { } field
                ? ApiProblems.Invalid(field, result.Message!)
                : ApiProblems.FromCode(result.ErrorCode!, result.Message);
        }

        return result.Existing
            ? TypedResults.Ok(MoneyReport.Round(transfer))
            : TypedResults.Created($"/api/accounts/{accountId}/transfers", MoneyReport.Round(transfer));
    }

    internal static async Task<Results<Ok<IReadOnlyList<CashTransfer>>, ProblemHttpResult>> GetTransfersAsync(string accountId, IGrainFactory grains)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        return await account.GetSnapshotAsync() is null
            ? ApiProblems.AccountNotFound(accountId)
            : TypedResults.Ok(MoneyReport.Round(await account.GetTransfersAsync()));
    }

    internal static async Task<Results<Ok<AccountPerformance>, ValidationProblem, ProblemHttpResult>> GetPerformanceAsync(
        string accountId, IGrainFactory grains, DateOnly? from, DateOnly? to)
    {
        if (from > to)
        {
            return ApiProblems.Invalid("from", "Must not be after \"to\".");
        }

        return await grains.GetGrain<IAccountGrain>(accountId).GetPerformanceAsync(from, to) is { } performance
            ? TypedResults.Ok(MoneyReport.Round(performance))
            : ApiProblems.AccountNotFound(accountId);
    }

    internal static async Task<Results<Ok<TradeHistory>, ValidationProblem, ProblemHttpResult>> GetTradesAsync(
        string accountId, IGrainFactory grains, HttpResponse response, DateOnly? from, DateOnly? to, string? symbol, long? before, int? limit)
    {
        if (TradeQueries.Check(from, to, symbol, before, limit) is { } invalid)
        {
            return invalid;
        }

        return await grains.GetGrain<IAccountGrain>(accountId).GetTradesAsync(TradeQueries.Of(from, to, symbol, before, limit)) is { } trades
            ? TradeQueries.Answer(response, trades)
            : ApiProblems.AccountNotFound(accountId);
    }

    internal static async Task<Results<Ok<IReadOnlyList<JournalEntry>>, ValidationProblem, ProblemHttpResult>> GetJournalAsync(
        string accountId, IGrainFactory grains, HttpResponse response, long? after, int? limit)
    {
        if (Paging.Check(after, limit, "after") is { } invalid)
        {
            return invalid;
        }

        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetSnapshotAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var page = await account.GetJournalPageAsync(after ?? 0, limit ?? Paging.DefaultLimit);
        Paging.DescribeHistory(response, page.Truncated, page.OldestSequence);
        return TypedResults.Ok(page.Entries);
    }
}

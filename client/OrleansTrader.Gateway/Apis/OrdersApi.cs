using System.Diagnostics;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Orders of one account: list, get, place (idempotent by client order id), replace, cancel, cancel all.</summary>
public static class OrdersApi
{
    public const string OrderRateLimitPolicy = "orders";

    /// <summary>The reason of the 409 for a client order id already used for another order.</summary>
    public const string ClientOrderIdReused = OrderErrorCodes.ClientOrderIdReused;

    /// <summary>The name of the placement endpoint (its answers of 400 are the "invalid" placements of the orders metric).</summary>
    public const string PlaceOrderEndpoint = "PlaceOrder";

    public static IEndpointRouteBuilder MapOrdersApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/accounts/{accountId}/orders").WithTags("Orders").AddEndpointFilter<RouteValuesFilter>();
        group.MapGet("", GetOrdersAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetOrders").WithSummary("Orders, newest first; status=open|closed|all, limit, after (an order id); clientOrderId: the order with that client order id, or none.");
        group.MapGet("/{orderId}", GetOrderAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("GetOrder").WithSummary("One order.");
        group.MapPost("", PlaceOrderAsync).RequireAuthorization(GatewayPolicies.AccountTrade).RequireRateLimiting(OrderRateLimitPolicy)
            .WithName(PlaceOrderEndpoint)
            .WithSummary("Places an order: 201 with the order; 200 with the existing order for a repeated clientOrderId; 409 when that id names another order; 422 with the risk reason when denied.");
        group.MapPost("/preview", PreviewOrderAsync).RequireAuthorization(GatewayPolicies.AccountRead)
            .WithName("PreviewOrder")
            .WithSummary("The risk decision an order would get now, with the buying power it would reserve and its estimated fee; nothing is placed.");
        group.MapPatch("/{orderId}", ReplaceOrderAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .WithName("ReplaceOrder").WithSummary("Replaces a working order (risk-checked like a new one).");
        group.MapDelete("/{orderId}", CancelOrderAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .ExemptFromLoadShedding()
            .WithName("CancelOrder").WithSummary("Requests the cancel of an order.");
        group.MapDelete("", CancelAllAsync).RequireAuthorization(GatewayPolicies.AccountTrade)
            .ExemptFromLoadShedding()
            .WithName("CancelAllOrders").WithSummary("Requests the cancel of every working order; one outcome per order.");
        return endpoints;
    }

    internal static async Task<Results<Ok<IReadOnlyList<AccountOrder>>, ValidationProblem, ProblemHttpResult>> GetOrdersAsync(
        string accountId, IGrainFactory grains, HttpResponse response, [AcceptedValues(typeof(OrderStatusFilter))] string? status, int? limit,
        string? after, string? clientOrderId)
    {
        var errors = new ValidationErrors();
        if (clientOrderId is not null && !Rules.IsOrderId(clientOrderId))
        {
            errors.Add("clientOrderId", $"Must be 1 to {Rules.MaxClientOrderIdLength} characters of A-Z, a-z, 0-9, '-', '_', '.' and ':'.");
        }

        var filter = RequestMapping.ToOrderStatusFilter(status, errors);
        if (limit is < 1 or > Paging.MaxLimit)
        {
            errors.Add("limit", $"Must be between 1 and {Paging.MaxLimit}.");
        }

        // The cursor is compared with the account's ids as text: one no page ends with ("abc", "-1") answered the first page
        // again or nothing, so a client following it looped or stopped early.
        if (after is not null && !AccountOrderIds.IsWellFormed(after))
        {
            errors.Add("after", "Must be an order id of this account (O followed by digits), the last of the previous page.");
        }

        if (!errors.IsEmpty)
        {
            return ApiProblems.Invalid(errors);
        }

        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetSnapshotAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        // The way to learn whether a placement whose answer was lost (a 504, a dropped connection) made an order.
        if (clientOrderId is not null)
        {
            if (await account.GetOrderByClientOrderIdAsync(clientOrderId) is not { } found)
            {
                return TypedResults.Ok<IReadOnlyList<AccountOrder>>([]);
            }

            // The lookup answers the order as the account recorded it (strategies use it too, without a broker call); a
            // working trailing stop is read again by id, which asks the broker where its level stands, as the other reads show.
            var order = found.Type == OrderType.TrailingStop && !found.Status.IsFinal() ? await account.GetOrderAsync(found.OrderId) ?? found : found;
            return TypedResults.Ok<IReadOnlyList<AccountOrder>>([order]);
        }

        // Closed orders age out with the history: the list's last page says when some are gone, or it reads as all of them.
        var page = await account.GetOrderPageAsync(filter, limit ?? Paging.DefaultLimit, after);
        Paging.DescribeHistory(response, page.Truncated);
        return TypedResults.Ok(page.Orders);
    }

    internal static async Task<Results<Ok<AccountOrder>, ProblemHttpResult>> GetOrderAsync(string accountId, string orderId, IGrainFactory grains)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetOrderAsync(orderId) is { } order)
        {
            return TypedResults.Ok(order);
        }

        // Only a miss asks whether the account is open: an unknown account is ACCOUNT_NOT_OPEN here as on its other routes.
        if (await account.GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        // An order that closed before the history the account keeps is gone, not never placed: a client reconciling its
        // own records should not be told the order never existed.
        return ApiProblems.NotFound(
            await account.IsOrderPastHistoryAsync(orderId)
                ? $"Order {orderId} of account {accountId} closed before the oldest history the account keeps (Trading:Accounts:HistoryPages) and is no longer kept."
                : $"Order {orderId} does not exist in account {accountId}.",
            AccountErrorCodes.OrderNotFound);
    }

    internal static async Task<Results<Created<AccountOrder>, Ok<AccountOrder>, ValidationProblem, ProblemHttpResult>> PlaceOrderAsync(
        string accountId, PlaceOrderRequest request, IGrainFactory grains, GatewayMetrics metrics)
    {
        var started = Stopwatch.GetTimestamp();
        var errors = new ValidationErrors();
        var order = RequestMapping.ToOrderRequest(request, request.ClientOrderId, errors);
        if (order is null)
        {
            // Counted as invalid by its 400, with the placements the JSON binding or the path refused (HttpMetricsMiddleware).
            return ApiProblems.Invalid(errors);
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).PlaceOrderAsync(new PlaceOrder { Request = order });
        if (result.Denial is { } denial)
        {
            metrics.Order("denied", Stopwatch.GetElapsedTime(started));
            metrics.Denial(denial.ReasonCode);
            return ApiProblems.FromDenial(denial);
        }

        var placed = result.Order!;
        if (result.IsExisting && !IsSameOrder(placed, order))
        {
            // A client order id names one order: answering another order's request with it would pass that order off as
            // this one (a retry after a timeout would believe it placed what it asked for).
            metrics.Order("denied", Stopwatch.GetElapsedTime(started));
            metrics.Denial(ClientOrderIdReused);
            return TypedResults.Problem(
                statusCode: StatusCodes.Status409Conflict,
                title: "The request conflicts with the current state.",
                detail: $"Client order id {order.ClientOrderId} was used for order {placed.OrderId} ({placed.Side} {placed.Quantity} {placed.Symbol} {placed.Type}); a new order needs a new id.",
                extensions: new Dictionary<string, object?>(StringComparer.Ordinal) { ["reason"] = ClientOrderIdReused, ["orderId"] = placed.OrderId });
        }

        if (result.IsExisting)
        {
            metrics.Order("existing", Stopwatch.GetElapsedTime(started));
            return TypedResults.Ok(placed);
        }

        metrics.Order("accepted", Stopwatch.GetElapsedTime(started));
        return TypedResults.Created($"/api/accounts/{accountId}/orders/{placed.OrderId}", placed);
    }

    /// <summary>
    /// Whether the order a client order id already names is what this request asks for. A working trailing stop's stop
    /// price is where it stands now, not what was asked, so it is left out for trailing stops. The order class and the
    /// exits count: a simple order, or a bracket with other exit prices, is not the bracket a retry asks for. So do the
    /// extended hours: a retry asking for them would otherwise be told its order trades then when it does not.
    /// </summary>
    internal static bool IsSameOrder(AccountOrder existing, OrderRequest request) =>
        (existing.OrderClass ?? OrderClass.Simple) == request.OrderClass && existing.Symbol == request.Symbol && existing.Side == request.Side && existing.Type == request.Type
        && existing.TimeInForce == request.TimeInForce && (existing.ExtendedHours ?? false) == request.ExtendedHours
        && existing.Quantity == request.Quantity && existing.LimitPrice == request.LimitPrice
        && existing.TrailPrice == request.TrailPrice && existing.TrailPercent == request.TrailPercent
        && existing.TakeProfit == request.TakeProfit && existing.StopLoss == request.StopLoss
        && (existing.Type == OrderType.TrailingStop || existing.StopPrice == request.StopPrice);

    internal static async Task<Results<Ok<RiskDecision>, ValidationProblem, ProblemHttpResult>> PreviewOrderAsync(
        string accountId, PreviewOrderRequest request, IGrainFactory grains)
    {
        // A preview needs no client order id; one that is given is checked against the account's like a placement's.
        var errors = new ValidationErrors();
        var order = RequestMapping.ToOrderRequest(request, request.ClientOrderId ?? "preview", errors);
        if (order is null)
        {
            return ApiProblems.Invalid(errors);
        }

        // An empty id tells the account there is none to check.
        var decision = await grains.GetGrain<IAccountGrain>(accountId).PreviewOrderAsync(order with { ClientOrderId = request.ClientOrderId ?? string.Empty });
        return decision.ReasonCode == AccountErrorCodes.NotOpen ? ApiProblems.AccountNotFound(accountId) : TypedResults.Ok(MoneyReport.Round(decision));
    }

    internal static async Task<Results<Ok<AccountOrder>, ValidationProblem, ProblemHttpResult>> ReplaceOrderAsync(
        string accountId, string orderId, ReplaceOrderRequest request, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        var replacement = RequestMapping.ToReplacement(request, errors);
        if (replacement is null)
        {
            return ApiProblems.Invalid(errors);
        }

        var result = await grains.GetGrain<IAccountGrain>(accountId).ReplaceOrderAsync(new ReplaceOrder { OrderId = orderId, Replacement = replacement });
        return result.Denial is { } denial ? ApiProblems.FromDenial(denial) : TypedResults.Ok(result.Order!);
    }

    internal static async Task<Results<Ok<AccountOrder>, ProblemHttpResult>> CancelOrderAsync(string accountId, string orderId, IGrainFactory grains)
    {
        var result = await grains.GetGrain<IAccountGrain>(accountId).CancelOrderAsync(orderId);
        return result.Denial is { } denial ? ApiProblems.FromDenial(denial) : TypedResults.Ok(result.Order!);
    }

    internal static async Task<Results<Ok<IReadOnlyList<OrderCommandOutcome>>, ProblemHttpResult>> CancelAllAsync(string accountId, IGrainFactory grains)
    {
        var account = grains.GetGrain<IAccountGrain>(accountId);
        if (await account.GetSnapshotAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var results = await account.CancelAllAsync();
        return TypedResults.Ok<IReadOnlyList<OrderCommandOutcome>>(
            [.. results.Select(r => new OrderCommandOutcome { Order = r.Order, Reason = r.Denial?.ReasonCode, Message = r.Denial?.Message })]);
    }
}

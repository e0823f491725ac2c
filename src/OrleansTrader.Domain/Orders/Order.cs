using System.Collections.Immutable;
using OrleansTrader.Domain.Fills;

namespace OrleansTrader.Domain.Orders;

/// <summary>
/// The order aggregate. Immutable: every operation returns a new order or a typed error. The execution ids applied
/// to the order live with it, so de-duplication is bounded by the order's life and persisted with it.
/// </summary>
public sealed record Order
{
    public required string OrderId { get; init; }

    public required OrderRequest Request { get; init; }

    public string ClientOrderId => Request.ClientOrderId;

    public string Symbol => Request.Symbol;

    public OrderSide Side => Request.Side;

    public decimal Quantity => Request.Quantity;

    public OrderStatus Status { get; init; } = OrderStatus.PendingNew;

    public decimal FilledQuantity { get; init; }

    /// <summary>Volume-weighted average fill price, or null before the first fill.</summary>
    public decimal? AverageFillPrice { get; init; }

    /// <summary>Quantity still able to fill: zero once the order is final.</summary>
    public decimal LeavesQuantity => Status.IsFinal() ? 0m : Quantity - FilledQuantity;

    public required DateTimeOffset CreatedAt { get; init; }

    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>When a DAY order expires (the session close); null for other time in force.</summary>
    public DateTimeOffset? ExpiresAt { get; init; }

    public string? ParentOrderId { get; init; }

    public string? ReplacesOrderId { get; init; }

    public string? ReplacedByOrderId { get; init; }

    /// <summary>The broker's or risk engine's reason for the last status change, where one was given.</summary>
    public string? StatusReason { get; init; }

    // "?? ...": older stored JSON lacks it, and the generated reader passes null (StoredJsonMissingMemberTests).
    public ImmutableHashSet<string> ExecutionIds { get; init => field = value ?? ImmutableHashSet<string>.Empty; } = ImmutableHashSet<string>.Empty;

    public static Order Create(string orderId, OrderRequest request, DateTimeOffset at, DateTimeOffset? expiresAt = null,
        string? parentOrderId = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(orderId);
        ArgumentNullException.ThrowIfNull(request);
        return new Order
        {
            OrderId = orderId,
            Request = request,
            CreatedAt = at,
            UpdatedAt = at,
            ExpiresAt = expiresAt,
            ParentOrderId = parentOrderId,
        };
    }

    /// <summary>Applies a non-fill event through <see cref="OrderStateMachine"/>. Fills go through <see cref="ApplyFill"/>.</summary>
    public Result<Order> Apply(OrderEvent evt, DateTimeOffset at, string? reason = null)
    {
        if (evt is OrderEvent.Fill or OrderEvent.PartialFill)
        {
            return Result.Fail<Order>(OrderErrorCodes.FillRequiresExecution, "Fills must be applied with an execution.");
        }

        var transition = OrderStateMachine.Apply(Status, evt, FilledQuantity > 0m);
        if (!transition.IsAllowed)
        {
            return Result.Fail<Order>(transition.Rejection!.ToError());
        }

        return Result.Ok(this with { Status = transition.To!.Value, UpdatedAt = Later(at), StatusReason = reason ?? StatusReason });
    }

    /// <summary>
    /// Applies one execution: idempotent by execution id, and an execution beyond the order quantity is a typed
    /// error (<see cref="FillErrorCodes.Overfill"/>), never a silent partial application. <paramref name="at"/> is when the
    /// order's keeper applies it, on its own clock (the account books a venue's report after the venue executed it);
    /// without it the execution's time, for the venue applying its own execution. The execution keeps its own time.
    /// </summary>
    public Result<FillApplication> ApplyFill(Execution execution, DateTimeOffset? at = null)
    {
        ArgumentNullException.ThrowIfNull(execution);
        if (string.IsNullOrWhiteSpace(execution.ExecutionId))
        {
            return Result.Fail<FillApplication>(FillErrorCodes.ExecutionIdMissing, "Execution has no id.");
        }

        if (ExecutionIds.Contains(execution.ExecutionId))
        {
            return Result.Ok(new FillApplication(this, IsDuplicate: true));
        }

        var error = CheckExecution(execution);
        if (error is not null)
        {
            return Result.Fail<FillApplication>(error);
        }

        var filled = FilledQuantity + execution.Quantity;
        var evt = filled == Quantity ? OrderEvent.Fill : OrderEvent.PartialFill;
        var transition = OrderStateMachine.Apply(Status, evt, hasFills: true);
        if (!transition.IsAllowed)
        {
            return Result.Fail<FillApplication>(transition.Rejection!.ToError());
        }

        var average = ((AverageFillPrice ?? 0m) * FilledQuantity + execution.Price * execution.Quantity) / filled;
        var next = this with
        {
            Status = transition.To!.Value,
            FilledQuantity = filled,
            AverageFillPrice = average,
            UpdatedAt = Later(at ?? execution.Timestamp),
            ExecutionIds = ExecutionIds.Add(execution.ExecutionId),
        };
        return Result.Ok(new FillApplication(next, IsDuplicate: false));
    }

    /// <summary>The order sized by its venue to <paramref name="quantity"/> (a group's exit, a replacement net of a fill), changed at <paramref name="at"/>.</summary>
    public Order Resized(decimal quantity, DateTimeOffset at) =>
        this with { Request = Request with { Quantity = quantity }, UpdatedAt = Later(at) };

    /// <summary>
    /// The stamp of a change made at <paramref name="at"/>: clients sync orders by <see cref="UpdatedAt"/>, so it never moves
    /// back (a clock stepped back, a stamp older than the order's).
    /// </summary>
    private DateTimeOffset Later(DateTimeOffset at) => at > UpdatedAt ? at : UpdatedAt;

    private DomainError? CheckExecution(Execution execution)
    {
        if (execution.OrderId != OrderId)
        {
            return new DomainError(FillErrorCodes.WrongOrder, $"Execution is for order {execution.OrderId}, not {OrderId}.");
        }

        if (execution.Symbol != Symbol)
        {
            return new DomainError(FillErrorCodes.SymbolMismatch, $"Execution symbol {execution.Symbol} differs from {Symbol}.");
        }

        if (execution.Side != Side)
        {
            return new DomainError(FillErrorCodes.SideMismatch, $"Execution side {execution.Side} differs from {Side}.");
        }

        if (execution.Quantity <= 0m)
        {
            return new DomainError(FillErrorCodes.QuantityNotPositive, "Execution quantity must be positive.");
        }

        if (execution.Price <= 0m)
        {
            return new DomainError(FillErrorCodes.PriceNotPositive, "Execution price must be positive.");
        }

        if (execution.Fee < 0m)
        {
            return new DomainError(FillErrorCodes.FeeNegative, "Execution fee must not be negative.");
        }

        if (FilledQuantity + execution.Quantity > Quantity)
        {
            return new DomainError(FillErrorCodes.Overfill,
                $"Execution of {execution.Quantity} exceeds the {Quantity - FilledQuantity} left on order {OrderId}.");
        }

        return null;
    }
}

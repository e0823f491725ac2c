namespace OrleansTrader.Domain.Fills;

/// <summary>
/// One evaluation of a working order. <see cref="Quantity"/> at <see cref="Price"/> fills now (both zero/null when
/// nothing fills); <see cref="Outcome"/> says whether the order keeps working; <see cref="Order"/> is its state to
/// keep for the next evaluation (trigger, water mark).
/// </summary>
public sealed record FillDecision
{
    public required FillOutcome Outcome { get; init; }

    public decimal Quantity { get; init; }

    public decimal? Price { get; init; }

    public required SimulatedOrder Order { get; init; }

    public required string Reason { get; init; }
}

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// The outcome of place, replace, cancel or close: the order it concerns (with <see cref="IsExisting"/> when a repeated
/// client order id returned the order already known), or a denial with a reason code.
/// </summary>
public sealed record OrderCommandResult
{
    public AccountOrder? Order { get; init; }

    public bool IsExisting { get; init; }

    public OrderDenial? Denial { get; init; }

    public bool Succeeded => Denial is null && Order is not null;

    public static OrderCommandResult Of(AccountOrder order, bool existing = false) => new() { Order = order, IsExisting = existing };

    public static OrderCommandResult Denied(
        string reasonCode, string message, decimal? maxQuantity = null, AccountOrder? order = null, IReadOnlyList<string>? causes = null) =>
        new() { Denial = new OrderDenial(reasonCode, message, maxQuantity, causes), Order = order };
}

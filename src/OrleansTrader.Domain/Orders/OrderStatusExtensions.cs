namespace OrleansTrader.Domain.Orders;

public static class OrderStatusExtensions
{
    /// <summary>Final states accept no further event.</summary>
    public static bool IsFinal(this OrderStatus status) => status is OrderStatus.Filled or OrderStatus.Canceled
        or OrderStatus.Replaced or OrderStatus.Rejected or OrderStatus.Denied or OrderStatus.Expired;

    /// <summary>Working orders hold a reservation and may still fill.</summary>
    public static bool IsWorking(this OrderStatus status) => !status.IsFinal();
}

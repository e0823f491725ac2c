namespace OrleansTrader.Domain.Orders;

public enum OrderGroupActionKind
{
    /// <summary>Send a held child to the broker with <see cref="OrderGroupAction.Quantity"/>.</summary>
    ActivateChild,
    CancelOrder,

    /// <summary>Reduce a working child to <see cref="OrderGroupAction.Quantity"/> (a replace).</summary>
    ResizeOrder,
}

namespace OrleansTrader.Brokers.Alpaca;

/// <summary>
/// An Alpaca order whose order_class, type, time_in_force or side (its own or a leg's) is a value this adapter does not
/// model, e.g. an options multi-leg ("mleg") order placed through Alpaca's dashboard. This backend places only kinds it
/// models, so such an order is not one of its own: lists, back-fills and the stream leave it out instead of failing.
/// A <see cref="FormatException"/>, so any path that does not handle it on purpose treats it as unreadable data.
/// </summary>
internal sealed class AlpacaUnsupportedOrderException(string orderId, string clientOrderId, string symbol, string field, string value)
    : FormatException($"Alpaca order {orderId} has {field} '{value}', which is not supported by this adapter.")
{
    public string OrderId { get; } = orderId;

    public string ClientOrderId { get; } = clientOrderId;

    public string Symbol { get; } = symbol;

    public string Field { get; } = field;

    public string Value { get; } = value;
}

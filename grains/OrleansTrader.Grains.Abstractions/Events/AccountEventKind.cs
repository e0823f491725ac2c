namespace OrleansTrader.Grains.Abstractions;

public enum AccountEventKind
{
    OrderUpdated,
    Fill,
    BreakerChanged,
    CashTransfer,
}

namespace OrleansTrader.Domain.Portfolio;

public enum AccountType
{
    /// <summary>No leverage, no shorting: buying power is settled-or-not cash minus reservations.</summary>
    Cash,

    /// <summary>Reg-T margin: 50% initial margin, so up to 2x equity in gross exposure; shorting allowed.</summary>
    Margin,
}

namespace OrleansTrader.Domain.Orders;

public enum OrderClass
{
    Simple,

    /// <summary>Entry plus a take-profit and a stop-loss exit that activate when the entry fills; one exit cancels the other.</summary>
    Bracket,

    /// <summary>One cancels other: two exits, a fill of one cancels the other.</summary>
    Oco,

    /// <summary>One triggers other: an entry plus one exit that activates when the entry fills.</summary>
    Oto,
}

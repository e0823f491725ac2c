namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST .../transfers: cash into (positive amount) or out of (negative) a paper account.</summary>
public sealed record TransferCashRequest
{
    [RequiredField]
    public string? TransferId { get; init; }

    [RequiredField]
    public decimal? Amount { get; init; }

    public string? Note { get; init; }
}

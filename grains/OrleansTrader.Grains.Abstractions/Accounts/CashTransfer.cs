namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// Cash moved into (a positive amount) or out of (a negative amount) a paper account. Neither a gain nor a loss: the day's
/// P&amp;L, the high-water mark and the returns leave it out.
/// </summary>
public sealed record CashTransfer
{
    /// <summary>The caller's id for the transfer: sending it again answers the first transfer instead of moving cash twice.</summary>
    public required string TransferId { get; init; }

    public required decimal Amount { get; init; }

    public string? Note { get; init; }

    /// <summary>The account's count of transfers, 1 for its first.</summary>
    public required long Sequence { get; init; }

    public required DateTimeOffset At { get; init; }

    /// <summary>The account's cash right after the transfer.</summary>
    public required decimal CashAfter { get; init; }
}

/// <summary>A request to move cash into (positive) or out of (negative) a paper account.</summary>
public sealed record TransferCash
{
    public required string TransferId { get; init; }

    public required decimal Amount { get; init; }

    public string? Note { get; init; }
}

/// <summary>The transfer made (<see cref="Existing"/> when its id was used before with the same amount), or why none was.</summary>
public sealed record CashTransferResult
{
    public bool Succeeded => Transfer is not null;

    public CashTransfer? Transfer { get; init; }

    public bool Existing { get; init; }

    public string? ErrorCode { get; init; }

    public string? Message { get; init; }

    /// <summary>For <see cref="AccountErrorCodes.Invalid"/>, the request's field at fault (transferId, amount or note).</summary>
    public string? Field { get; init; }

    public static CashTransferResult Made(CashTransfer transfer, bool existing) => new() { Transfer = transfer, Existing = existing };

    public static CashTransferResult Fail(string code, string message) => new() { ErrorCode = code, Message = message };

    public static CashTransferResult Invalid(string field, string message) => new() { ErrorCode = AccountErrorCodes.Invalid, Message = message, Field = field };
}

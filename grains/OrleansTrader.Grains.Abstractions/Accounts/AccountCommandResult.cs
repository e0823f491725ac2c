namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of an account command that is not an order: success, or an error code from <see cref="AccountErrorCodes"/>.</summary>
public sealed record AccountCommandResult(bool Succeeded, string? ErrorCode = null, string? Message = null)
{
    public static AccountCommandResult Ok { get; } = new(true);

    /// <summary>
    /// Opening an account already open with the same settings: nothing was done. A caller that must tell the opening
    /// from a repeat (POST /api/accounts) reads this, not a snapshot taken before, which a concurrent opening makes stale.
    /// </summary>
    public static AccountCommandResult AlreadyOpen { get; } = new(true) { Existing = true };

    /// <summary>True only for <see cref="AlreadyOpen"/>.</summary>
    public bool Existing { get; init; }

    public static AccountCommandResult Fail(string code, string message) => new(false, code, message);
}

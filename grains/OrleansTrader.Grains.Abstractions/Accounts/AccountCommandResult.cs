namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of an account command that is not an order: success, or an error code from <see cref="AccountErrorCodes"/>.</summary>
public sealed record AccountCommandResult(bool Succeeded, string? ErrorCode = null, string? Message = null)
{
    public static AccountCommandResult Ok { get; } = new(true);

    public static AccountCommandResult Fail(string code, string message) => new(false, code, message);
}

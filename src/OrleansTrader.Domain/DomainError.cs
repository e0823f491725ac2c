namespace OrleansTrader.Domain;

/// <summary>
/// A typed refusal: a stable machine-readable <see cref="Code"/>, a human message, and where one property is at fault
/// its name (<see cref="Field"/>), so a caller can point at it without reading the message.
/// </summary>
public sealed record DomainError(string Code, string Message, string? Field = null)
{
    public override string ToString() => $"{Code}: {Message}";
}

namespace OrleansTrader.Domain;

/// <summary>A typed refusal: a stable machine-readable <see cref="Code"/> and a human message.</summary>
public sealed record DomainError(string Code, string Message)
{
    public override string ToString() => $"{Code}: {Message}";
}

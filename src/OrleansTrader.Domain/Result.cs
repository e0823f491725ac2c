namespace OrleansTrader.Domain;

/// <summary>Either a value or a <see cref="DomainError"/>; domain operations return it instead of throwing.</summary>
public sealed record Result<T>
{
    private Result(T? value, DomainError? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public DomainError? Error { get; }

    public bool IsSuccess => Error is null;

    /// <summary>The value; throws when the result is a failure, so a caller cannot silently use a default.</summary>
    public T GetValueOrThrow() =>
        Error is null ? Value! : throw new InvalidOperationException($"Result is a failure: {Error}");

    internal static Result<T> Success(T value) => new(value, null);

    internal static Result<T> Failure(DomainError error) => new(default, error);
}

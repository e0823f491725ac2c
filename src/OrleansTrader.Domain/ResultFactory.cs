namespace OrleansTrader.Domain;

/// <summary>Factories for <see cref="Result{T}"/>.</summary>
public static class Result
{
    public static Result<T> Ok<T>(T value) => Result<T>.Success(value);

    public static Result<T> Fail<T>(DomainError error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return Result<T>.Failure(error);
    }

    public static Result<T> Fail<T>(string code, string message) => Result<T>.Failure(new DomainError(code, message));
}

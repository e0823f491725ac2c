using Microsoft.AspNetCore.Http.HttpResults;

namespace OrleansTrader.Gateway.Apis;

/// <summary>Bounded pages: limit 1..500 (default 100), cursors non-negative.</summary>
internal static class Paging
{
    public const int DefaultLimit = 100;
    public const int MaxLimit = 500;

    public static ValidationProblem? Check(long? after, int? limit, string afterName)
    {
        if (after is < 0)
        {
            return ApiProblems.Invalid(afterName, "Must not be negative.");
        }

        return limit is < 1 or > MaxLimit ? ApiProblems.Invalid("limit", $"Must be between 1 and {MaxLimit}.") : null;
    }
}

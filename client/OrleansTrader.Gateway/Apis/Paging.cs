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

    /// <summary>
    /// The header that says entries after the request's sequence (or, on the last page of orders, closed orders) aged out of
    /// the account's history, or transitions after the request's version out of a breaker's audit ("true"/"false").
    /// </summary>
    public const string HistoryTruncatedHeader = "X-History-Truncated";

    /// <summary>The header with the sequence (a breaker audit's version) of the oldest entry of the list still kept (the next one's when none is).</summary>
    public const string HistoryOldestSequenceHeader = "X-History-Oldest-Sequence";

    /// <summary>
    /// Says on a page of fills, journal entries or breaker transitions whether entries after its cursor are gone (and where the kept ones
    /// begin), or on the last page of orders whether closed ones aged out: the body is the same list either way, and an
    /// empty one would otherwise read as "nothing new" when what came was pruned.
    /// </summary>
    public static void DescribeHistory(HttpResponse response, bool truncated, long? oldestSequence = null)
    {
        response.Headers[HistoryTruncatedHeader] = truncated ? "true" : "false";
        if (oldestSequence is { } oldest)
        {
            response.Headers[HistoryOldestSequenceHeader] = oldest.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
    }
}

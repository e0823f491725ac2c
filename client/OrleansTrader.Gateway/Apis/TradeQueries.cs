using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Apis;

/// <summary>The query of the account's and the strategies' trades routes: exit dates, symbol, and a page before a trade number.</summary>
internal static class TradeQueries
{
    public static ValidationProblem? Check(DateOnly? from, DateOnly? to, string? symbol, long? before, int? limit)
    {
        if (Paging.Check(before, limit, "before") is { } invalid)
        {
            return invalid;
        }

        if (from > to)
        {
            return ApiProblems.Invalid("from", "Must not be after \"to\".");
        }

        return symbol is not null && !Rules.IsSymbol(symbol) ? ApiProblems.Invalid("symbol", Rules.SymbolProblem) : null;
    }

    public static TradeQuery Of(DateOnly? from, DateOnly? to, string? symbol, long? before, int? limit) =>
        new() { From = from, To = to, Symbol = symbol, Before = before, Limit = limit ?? Paging.DefaultLimit };

    /// <summary>The trades, rounded as reported, with the header the other paged lists carry on whether older ones are gone.</summary>
    public static Ok<TradeHistory> Answer(HttpResponse response, TradeHistory trades)
    {
        Paging.DescribeHistory(response, trades.Truncated);
        return TypedResults.Ok(MoneyReport.Round(trades));
    }
}

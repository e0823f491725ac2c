using Microsoft.Extensions.Options;
using OrleansTrader.Domain;
using static System.FormattableString;

namespace OrleansTrader.Brokers.Paper;

/// <summary>Refuses to start the paper venue with settings that would make it misbehave.</summary>
public sealed class PaperExchangeOptionsValidator : IValidateOptions<PaperExchangeOptions>
{
    private static readonly TimeSpan MaxLatency = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan MaxRetention = TimeSpan.FromDays(3650);

    public ValidateOptionsResult Validate(string? name, PaperExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.AckLatency < TimeSpan.Zero || options.AckLatency > MaxLatency)
        {
            failures.Add($"PaperExchange:AckLatency must be between 0 and {MaxLatency}.");
        }

        if (options.FillLatency < TimeSpan.Zero || options.FillLatency > MaxLatency)
        {
            failures.Add($"PaperExchange:FillLatency must be between 0 and {MaxLatency}.");
        }

        if (!Enum.IsDefined(options.Calendar))
        {
            failures.Add($"PaperExchange:Calendar {options.Calendar} is not a known calendar.");
        }

        // In memory only (the archive keeps final orders for FinalOrderRetention); ages beyond this overflowed the clock's
        // arithmetic at the first archive pass, failing every order's commit.
        if (options.Retention < TimeSpan.FromMinutes(1) || options.Retention > MaxRetention)
        {
            failures.Add(Invariant($"PaperExchange:Retention must be between one minute and {MaxRetention.TotalDays:0} days (got {options.Retention})."));
        }

        if (options.FinalOrderRetention <= TimeSpan.Zero)
        {
            failures.Add(Invariant($"PaperExchange:FinalOrderRetention must be positive (how long the archive keeps final orders and executions; default {PaperExchangeOptions.DefaultFinalOrderRetention.TotalDays:0} days, a value of years keeps them for good)."));
        }
        else if (options.FinalOrderRetention < options.Retention)
        {
            failures.Add(Invariant($"PaperExchange:FinalOrderRetention ({options.FinalOrderRetention}) must be at least PaperExchange:Retention ({options.Retention}): the archive keeps what leaves memory, and a restart would lose orders the running venue still answers."));
        }

        if (options.MaxRetainedOrders < 10)
        {
            failures.Add("PaperExchange:MaxRetainedOrders must be at least 10.");
        }

        if (options.MaxSubscriberBacklog < 1)
        {
            failures.Add("PaperExchange:MaxSubscriberBacklog must be positive.");
        }

        CheckFillModel(options, failures);
        CheckInstruments(options, failures);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void CheckFillModel(PaperExchangeOptions options, List<string> failures)
    {
        if (options.FillModel is not { } model)
        {
            failures.Add("PaperExchange:FillModel is required.");
            return;
        }

        if (model.SlippageBps is < 0m or > 1_000m)
        {
            failures.Add("PaperExchange:FillModel:SlippageBps must be in [0, 1000].");
        }

        if (model.ParticipationRate is { } rate && (rate <= 0m || rate > 1m))
        {
            failures.Add("PaperExchange:FillModel:ParticipationRate must be in (0, 1].");
        }

        if (model.QuantityIncrement <= 0m)
        {
            failures.Add("PaperExchange:FillModel:QuantityIncrement must be positive.");
            return;
        }

        CheckIncrementFitsLots(options, model.QuantityIncrement, failures);
    }

    /// <summary>
    /// An increment that neither divides a lot nor is a whole number of lots fits no order of that lot: fills fall back
    /// to the instrument's step (PaperExchange.FillOptionsFor, which never splits a lot, so nothing is stranded), and the
    /// setting, 0.3 or 1.5 for whole shares, steps nothing it was meant to: refused as a configuration mistake.
    /// </summary>
    private static void CheckIncrementFitsLots(PaperExchangeOptions options, decimal increment, List<string> failures)
    {
        // An unlisted symbol trades as a whole-share equity (lot 1).
        var lots = options.AcceptUnlistedSymbols ? new List<(decimal Lot, string? Symbol)> { (1m, null) } : [];
        lots.AddRange(options.Instruments.Where(i => i.LotSize > 0m).Select(i => (i.LotSize, (string?)i.Symbol)));
        foreach (var (lot, symbol) in lots.DistinctBy(l => l.Lot))
        {
            if (!Money.IsMultipleOf(lot, increment) && !Money.IsMultipleOf(increment, lot))
            {
                var owner = symbol is null ? "a share (the lot of an unlisted symbol)" : Invariant($"the lot size {lot} of {symbol}");
                failures.Add(Invariant($"PaperExchange:FillModel:QuantityIncrement {increment} must divide {owner} or be a whole multiple of it ")
                    + Invariant($"(e.g. {lot / 2m}, {lot}, {lot * 2m}, {lot * 100m}): no order of that lot can fill in steps of {increment}."));
            }
        }
    }

    private static void CheckInstruments(PaperExchangeOptions options, List<string> failures)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var instrument in options.Instruments)
        {
            foreach (var error in instrument.Validate())
            {
                failures.Add($"PaperExchange:Instruments {instrument.Symbol}: {error.Message}");
            }

            if (!seen.Add(instrument.Symbol))
            {
                failures.Add($"PaperExchange:Instruments lists {instrument.Symbol} twice.");
            }
        }
    }
}

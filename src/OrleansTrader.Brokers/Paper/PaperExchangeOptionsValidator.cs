using Microsoft.Extensions.Options;

namespace OrleansTrader.Brokers.Paper;

/// <summary>Refuses to start the paper venue with settings that would make it misbehave.</summary>
public sealed class PaperExchangeOptionsValidator : IValidateOptions<PaperExchangeOptions>
{
    private static readonly TimeSpan MaxLatency = TimeSpan.FromMinutes(1);

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

        if (options.Retention < TimeSpan.FromMinutes(1))
        {
            failures.Add("PaperExchange:Retention must be at least one minute.");
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

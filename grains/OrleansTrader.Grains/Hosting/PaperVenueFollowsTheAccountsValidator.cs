using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Refuses a paper venue whose calendar, instruments or unlisted-symbol rule differ from the accounts'
/// (<see cref="TradingGrainsOptions"/>), however they were set: <see cref="TradingGrainsOptions.PaperExchange"/> runs after
/// AddTradingGrains gives the venue the accounts' values, and a later Configure&lt;PaperExchangeOptions&gt; runs after that.
/// Either changed the venue alone: DAY orders expired on one calendar while the accounts' checks followed another.
/// The silo's configuration keys are refused earlier, with their own message (TradingHostExtensions).
/// </summary>
internal sealed class PaperVenueFollowsTheAccountsValidator(PaperCalendarKind calendar, bool acceptUnlistedSymbols, IReadOnlyList<Instrument> instruments)
    : IValidateOptions<PaperExchangeOptions>
{
    public ValidateOptionsResult Validate(string? name, PaperExchangeOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Calendar != calendar)
        {
            failures.Add($"The paper exchange's Calendar is {options.Calendar} but the accounts follow {calendar}: "
                + "set TradingGrainsOptions.Calendar, which the accounts and the paper exchange both follow, instead.");
        }

        if (options.AcceptUnlistedSymbols != acceptUnlistedSymbols)
        {
            failures.Add($"The paper exchange's AcceptUnlistedSymbols is {options.AcceptUnlistedSymbols} but the accounts' is {acceptUnlistedSymbols}: "
                + "set TradingGrainsOptions.AcceptUnlistedSymbols instead.");
        }

        if (!options.Instruments.SequenceEqual(instruments))
        {
            failures.Add("The paper exchange's Instruments differ from the accounts': set TradingGrainsOptions.Instruments instead.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

using Microsoft.Extensions.Configuration;
using OrleansTrader.Brokers.Alpaca;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Gateway;
using OrleansTrader.Grains.Accounts;
using OrleansTrader.Grains.ApiKeys;
using OrleansTrader.Grains.Brokers.Alpaca;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Symbols;
using OrleansTrader.Grains.Webhooks;
using OrleansTrader.MarketData.Alpaca;
using OrleansTrader.MarketData.Csv;
using OrleansTrader.MarketData.Synthetic;
using OrleansTrader.MarketData.Validation;
using OrleansTrader.Silo.Logging;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// Whether the silo reads a configuration key, asked of the configuration binder itself: a key (or an environment
/// variable, <c>A__B</c> for <c>A:B</c>) counts only when binding it into the options class of its section, with unknown
/// keys made an error, succeeds. A misspelt key is otherwise ignored without a word, and the setting keeps its default.
/// </summary>
internal static class SiloSettingNames
{
    /// <summary>The sections the silo binds and the options classes bound from each ("Alpaca" feeds two).</summary>
    private static readonly (string Section, Type[] Types)[] Sections =
    [
        (StorageSettings.SectionName, [typeof(StorageSettings)]),
        (FeedSettings.SectionName, [typeof(FeedSettings)]),
        (CalendarSettings.SectionName, [typeof(CalendarSettings)]),
        (DemoSettings.SectionName, [typeof(DemoSettings)]),
        (StreamSettings.SectionName, [typeof(StreamSettings)]),
        (GatewayOptions.SectionName, [typeof(GatewayOptions)]),
        (AlpacaOptions.SectionName, [typeof(AlpacaOptions), typeof(AlpacaBindingOptions)]),
        (AccountGrainOptions.SectionName, [typeof(AccountGrainOptions)]),
        (SymbolGrainOptions.SectionName, [typeof(SymbolGrainOptions)]),
        (WebhookOptions.SectionName, [typeof(WebhookOptions)]),
        (ApiKeyRegistryOptions.SectionName, [typeof(ApiKeyRegistryOptions)]),
        (BacktestFilesOptions.SectionName, [typeof(BacktestFilesOptions)]),
        (PaperExchangeOptions.SectionName, [typeof(PaperExchangeOptions)]),
        (CsvReplayOptions.SectionName, [typeof(CsvReplayOptions)]),
        (SyntheticFeedOptions.SectionName, [typeof(SyntheticFeedOptions)]),
        (TickValidatorOptions.SectionName, [typeof(TickValidatorOptions)]),
        (AlpacaMarketDataOptions.SectionName, [typeof(AlpacaMarketDataOptions)]),
    ];

    /// <summary>Every options class the silo binds from configuration.</summary>
    public static IEnumerable<Type> BoundOptions => Sections.SelectMany(s => s.Types);

    /// <summary>The configuration key an environment variable sets: <c>__</c> separates sections.</summary>
    public static string KeyOfVariable(string variable) => variable.Replace("__", ":", StringComparison.Ordinal);

    /// <summary>
    /// Null when the silo reads <paramref name="key"/>; otherwise why not. With a <paramref name="value"/>, the value must
    /// also convert to the setting's type; without one only the name is checked.
    /// </summary>
    public static string? Problem(string key, string? value = null)
    {
        // Read directly rather than bound: the console format.
        if (string.Equals(key, SiloLoggingExtensions.FormatKey, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var section = Sections.Where(s => key.StartsWith(s.Section + ":", StringComparison.OrdinalIgnoreCase))
            .OrderByDescending(s => s.Section.Length)
            .Select(s => ((string, Type[])?)s)
            .FirstOrDefault();
        if (section is not var (name, types))
        {
            return $"'{key}' is in no section the silo binds.";
        }

        var configuration = new ConfigurationBuilder().AddInMemoryCollection([new(key, value)]).Build().GetSection(name);
        var refusals = new List<string>();
        foreach (var type in types)
        {
            try
            {
                configuration.Get(type, o => o.ErrorOnUnknownConfiguration = true);
                return null;
            }
            catch (InvalidOperationException refused)
            {
                refusals.Add(refused.Message);
            }
        }

        return $"'{key}': {string.Join(" ", refusals)}";
    }
}

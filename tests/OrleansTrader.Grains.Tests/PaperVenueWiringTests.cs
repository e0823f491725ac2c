using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;
using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Grains.Tests.Infrastructure;

namespace OrleansTrader.Grains.Tests;

public sealed class PaperVenueWiringTests
{
    public static TheoryData<string, string> VenueSettingsTheAccountsDoNotFollow => new()
    {
        { "calendar", "The paper exchange's Calendar is Nyse but the accounts follow AlwaysOpen" },
        { "unlisted", "The paper exchange's AcceptUnlistedSymbols is False but the accounts' is True" },
        { "instruments", "The paper exchange's Instruments differ from the accounts'" },
    };

    [Theory]
    [MemberData(nameof(VenueSettingsTheAccountsDoNotFollow))]
    public async Task AddTradingGrains_RefusesAPaperExchangeCallback_ThatSetsTheVenueOtherwiseThanTheAccounts(string setting, string expected)
    {
        // The silo refuses these as configuration keys; set through the callback, they changed the venue alone.
        await using var cluster = new TradingCluster(new TradingClusterOptions { PaperExchange = p => Misconfigure(p, setting) });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTradingGrains_RefusesAVenueCalendarConfiguredAfterIt_ThatDiffersFromTheAccounts()
    {
        await using var cluster = new TradingCluster(new TradingClusterOptions
        {
            Calendar = NyseCalendar.Instance,
            ConfigureSilo = silo => silo.Services.Configure<PaperExchangeOptions>(o => o.Calendar = PaperCalendarKind.AlwaysOpen),
        });

        var error = await Assert.ThrowsAsync<OptionsValidationException>(() => cluster.Cluster.DeployAsync(TestContext.Current.CancellationToken));

        Assert.Contains("The paper exchange's Calendar is AlwaysOpen but the accounts follow Nyse", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AddTradingGrains_AcceptsAPaperExchangeCallback_ThatTunesTheVenueOnly()
    {
        var listed = new Instrument { Symbol = "AAPL", FractionalAllowed = true };
        await using var cluster = await TradingCluster.StartAsync(new TradingClusterOptions
        {
            Calendar = NyseCalendar.Instance,
            Instruments = [listed],
            PaperExchange = p => p.Retention = TimeSpan.FromMinutes(5),
        });

        var venue = cluster.Cluster.ServiceProvider.GetRequiredService<IOptions<PaperExchangeOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(5), venue.Retention);
        Assert.Equal(PaperCalendarKind.Nyse, venue.Calendar);
        Assert.Equal([listed], venue.Instruments);
    }

    private static void Misconfigure(PaperExchangeOptions venue, string setting)
    {
        switch (setting)
        {
            case "calendar":
                venue.Calendar = PaperCalendarKind.Nyse;
                break;
            case "unlisted":
                venue.AcceptUnlistedSymbols = false;
                break;
            default:
                venue.Instruments.Add(new Instrument { Symbol = "SPY" });
                break;
        }
    }
}

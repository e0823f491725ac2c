using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers.Paper;

namespace OrleansTrader.Brokers.Tests.Paper;

public sealed class PaperExchangeRegistrationTests
{
    [Fact]
    public async Task AddPaperExchange_ResolvesAVenueThatStartsWithTheHost()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPaperExchange(o => o.FillLatency = TimeSpan.FromMilliseconds(5));
        await using var provider = services.BuildServiceProvider();

        foreach (var hosted in provider.GetServices<IHostedService>())
        {
            await hosted.StartAsync(TestContext.Current.CancellationToken);
        }

        var exchange = provider.GetRequiredService<PaperExchange>();
        Assert.Equal(PaperExchange.BrokerName, exchange.GetClient("acct").Name);
        Assert.Equal(TimeSpan.FromMilliseconds(5), provider.GetRequiredService<IOptions<PaperExchangeOptions>>().Value.FillLatency);
        Assert.IsType<InMemoryPaperVenueStore>(provider.GetRequiredService<IPaperVenueStore>());
    }

    [Fact]
    public void AddPaperExchange_RefusesInvalidOptions_WithEveryProblemNamed()
    {
        var services = new ServiceCollection().AddLogging();
        services.AddPaperExchange(o =>
        {
            o.AckLatency = TimeSpan.FromMilliseconds(-1);
            o.MaxSubscriberBacklog = 0;
            o.MaxRetainedOrders = 9;
        });
        using var provider = services.BuildServiceProvider();

        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IOptions<PaperExchangeOptions>>().Value);

        Assert.Equal(3, error.Failures.Count());
        Assert.Contains(error.Failures, f => f.Contains("AckLatency", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxSubscriberBacklog", StringComparison.Ordinal));
        Assert.Contains(error.Failures, f => f.Contains("MaxRetainedOrders", StringComparison.Ordinal));
    }

    [Fact]
    public void ConfigureAccount_RefusesAnInvalidFeeModel()
    {
        var services = new ServiceCollection().AddLogging().AddPaperExchange();
        using var provider = services.BuildServiceProvider();
        var exchange = provider.GetRequiredService<PaperExchange>();

        var invalid = new PaperAccountSettings { FeeModel = new Domain.Fees.FeeModelSpec { BasisPoints = -1m } };

        var error = Assert.Throws<ArgumentException>(() => exchange.ConfigureAccount("acct", invalid));

        Assert.Contains("BasisPoints", error.Message, StringComparison.Ordinal);
    }
}

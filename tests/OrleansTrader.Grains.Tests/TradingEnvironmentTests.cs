using OrleansTrader.Domain.Calendar;
using OrleansTrader.Domain.Instruments;
using OrleansTrader.Grains.Hosting;

namespace OrleansTrader.Grains.Tests;

public sealed class TradingEnvironmentTests
{
    private static readonly Instrument Listed = new() { Symbol = "AAPL", FractionalAllowed = true };

    [Fact]
    public void Find_AnUnlistedSymbol_ReturnsOneDefaultInstrumentForEveryOrder()
    {
        var environment = new TradingEnvironment(AlwaysOpenCalendar.Instance, InstrumentCatalog.Create([Listed]).GetValueOrThrow(), acceptUnlistedSymbols: true);

        var first = environment.Find("IBM");
        var second = environment.Find("IBM");

        Assert.NotNull(first);
        Assert.Same(first, second);
        Assert.Equal(new Instrument { Symbol = "IBM" }, first);
        Assert.NotSame(first, environment.Find("MSFT"));
        Assert.Equal("MSFT", environment.Find("MSFT")?.Symbol);
        Assert.Same(Listed, environment.Find("AAPL"));
    }

    [Theory]
    [InlineData(false, "IBM")]
    [InlineData(true, "not a symbol!")]
    [InlineData(true, " ")]
    public void Find_WhenUnlistedSymbolsAreRefusedOrMalformed_ReturnsNull(bool acceptUnlisted, string symbol)
    {
        var environment = new TradingEnvironment(AlwaysOpenCalendar.Instance, InstrumentCatalog.Create([Listed]).GetValueOrThrow(), acceptUnlisted);

        Assert.Null(environment.Find(symbol));
        Assert.Null(environment.Find(symbol));
    }
}

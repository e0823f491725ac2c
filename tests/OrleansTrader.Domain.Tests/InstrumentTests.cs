using OrleansTrader.Domain.Instruments;

namespace OrleansTrader.Domain.Tests;

public sealed class InstrumentTests
{
    [Theory]
    [InlineData("SPY", true)]
    [InlineData("BRK.B", true)]
    [InlineData("BRK/B", true)]
    [InlineData("A", true)]
    [InlineData("ABCDEFGHIJ", true)]
    [InlineData("ABCDEFGHIJK", false)]
    [InlineData("", false)]
    [InlineData(null, false)]
    [InlineData("spy", false)]
    [InlineData("1ABC", false)]
    [InlineData("BRK.", false)]
    [InlineData("BRK..B", false)]
    [InlineData("SP Y", false)]
    [InlineData("SPY\n", false)]
    public void SymbolRules_IsValid(string? symbol, bool expected)
    {
        Assert.Equal(expected, SymbolRules.IsValid(symbol));
    }

    [Fact]
    public void Catalog_LooksUpAndRefusesDuplicatesAndInvalid()
    {
        var catalog = InstrumentCatalog.Create([new Instrument { Symbol = "SPY" }, new Instrument { Symbol = "IBM" }]).GetValueOrThrow();

        Assert.Equal(2, catalog.Count);
        Assert.True(catalog.TryGet("SPY", out var spy));
        Assert.Equal("SPY", spy.Symbol);
        Assert.Null(catalog.Find("spy"));
        Assert.Equal(InstrumentErrorCodes.DuplicateSymbol,
            InstrumentCatalog.Create([new Instrument { Symbol = "SPY" }, new Instrument { Symbol = "SPY" }]).Error?.Code);
        Assert.Equal(InstrumentErrorCodes.TickSizeInvalid,
            InstrumentCatalog.Create([new Instrument { Symbol = "SPY", TickSize = 0m }]).Error?.Code);
        Assert.Equal(InstrumentErrorCodes.SymbolInvalid, InstrumentCatalog.Create([new Instrument { Symbol = "bad" }]).Error?.Code);
    }

    [Fact]
    public void TickSizeFor_UsesSubDollarIncrementBelowOneDollar()
    {
        var instrument = new Instrument { Symbol = "SPY" };

        Assert.Equal(0.01m, instrument.TickSizeFor(1m));
        Assert.Equal(0.0001m, instrument.TickSizeFor(0.99m));
    }
}

using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Strategies;
using OrleansTrader.Grains.Tests.Infrastructure;
using OrleansTrader.Runtime.Testing;

namespace OrleansTrader.Grains.Tests;

/// <summary>The backtest file listing is kept a minute of elapsed time, whatever the wall clock does meanwhile.</summary>
public sealed class BacktestFileCatalogClockStepTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    /// <summary>
    /// Kept by the wall clock, a listing made before the clock was set back an hour was served for that hour and a minute:
    /// files added to the folder meanwhile did not show.
    /// </summary>
    [Fact]
    public void TheListing_IsReadAgainAfterAMinute_WhenTheWallClockWasSetBackAnHour()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 3, 2, 14, 0, 0, TimeSpan.Zero));
        var clock = new SkewedTimeProvider(time);
        var catalog = new BacktestFileCatalog(Options.Create(new BacktestFilesOptions { DataPath = _dir.Path }), clock);
        var first = catalog.List();
        Assert.Same(first, catalog.List());

        clock.Skew = -TimeSpan.FromHours(1);
        time.Advance(BacktestFileCatalog.KeptFor);

        Assert.NotSame(first, catalog.List());
    }
}

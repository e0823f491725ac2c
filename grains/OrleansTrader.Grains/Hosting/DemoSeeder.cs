using System.Globalization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OrleansTrader.Domain.Strategies;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Opens the demo paper account and starts its SMA crossover on one-second bars (once: a restart leaves them as they are;
/// a running strategy is resumed by KeepAliveResumer).</summary>
internal sealed partial class DemoSeeder(IClusterClient client, DemoSettings settings, ILogger<DemoSeeder> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            var account = client.GetGrain<IAccountGrain>(settings.AccountId);
            var opened = await account.OpenAsync(new OpenAccount { Name = $"Demo: SMA crossover on {settings.Symbol}", Cash = settings.Cash });
            if (opened.Existing || opened.ErrorCode == AccountErrorCodes.AlreadyOpen)
            {
                // Seeded on an earlier start: the strategy is left as the user left it, running, stopped or deleted (asked
                // only whether it existed, the seeder created a deleted one again on every restart). The price: a silo
                // killed between this open and the strategy's creation on its very first start has no demo strategy.
                LogExists(logger, settings.AccountId);
                return;
            }

            if (!opened.Succeeded)
            {
                LogFailed(logger, settings.AccountId, opened.Message ?? opened.ErrorCode ?? "unknown");
                return;
            }

            var strategy = client.GetGrain<IStrategyGrain>(StrategyKey.Create(settings.AccountId, "sma-demo"));
            var created = await strategy.CreateAsync(new CreateStrategy
            {
                Kind = StrategyKinds.SmaCrossover,
                Symbols = [settings.Symbol],
                BarInterval = TimeSpan.FromSeconds(1),
                Start = true,
                Parameters = new Dictionary<string, string>
                {
                    ["quantity"] = settings.Quantity.ToString(CultureInfo.InvariantCulture),
                    ["fastPeriod"] = settings.FastPeriod.ToString(CultureInfo.InvariantCulture),
                    ["slowPeriod"] = settings.SlowPeriod.ToString(CultureInfo.InvariantCulture),
                },
            });
            if (!created.Succeeded)
            {
                LogFailed(logger, settings.AccountId, created.Message ?? created.ErrorCode ?? "unknown");
                return;
            }

            LogStarted(logger, settings.AccountId, settings.Symbol, settings.FastPeriod, settings.SlowPeriod);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogError(logger, ex, settings.AccountId);
        }
    }

    [LoggerMessage(EventId = 5601, Level = LogLevel.Information,
        Message = "Demo account {AccountId} trades an SMA crossover ({Fast}/{Slow} one-second bars) on {Symbol} at the paper exchange")]
    private static partial void LogStarted(ILogger logger, string accountId, string symbol, int fast, int slow);

    [LoggerMessage(EventId = 5604, Level = LogLevel.Information,
        Message = "Demo account {AccountId} exists from an earlier start; its strategy is left as it was (running, stopped or deleted)")]
    private static partial void LogExists(ILogger logger, string accountId);

    [LoggerMessage(EventId = 5602, Level = LogLevel.Error, Message = "Demo account {AccountId} could not be set up: {Reason}")]
    private static partial void LogFailed(ILogger logger, string accountId, string reason);

    [LoggerMessage(EventId = 5603, Level = LogLevel.Error, Message = "Demo account {AccountId} could not be set up")]
    private static partial void LogError(ILogger logger, Exception exception, string accountId);
}

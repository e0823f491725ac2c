using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using static OrleansTrader.Domain.Tests.Fixtures;

namespace OrleansTrader.Domain.Tests;

/// <summary>
/// A position booked at a plausible size can be marked at a price that makes its value, or the sum of the positions'
/// values, overflow a decimal: the valuation is an error that says so, never an exception for every reader of the account.
/// </summary>
public sealed class LedgerValuationOverflowTests
{
    [Fact]
    public void Value_AtAMarkThatOverflowsAPosition_FailsWithValuationOverflow_NamingThePosition()
    {
        var ledger = AccountLedger.Open("a", AccountType.Margin, 1_000_000m).ApplyFill(Exec("e1", OrderSide.Buy, 1_000m, 10m)).Ledger;

        var valued = ledger.Value(new Dictionary<string, decimal> { ["SPY"] = 100_000_000_000_000_000_000_000_000m });

        Assert.False(valued.IsSuccess);
        Assert.Equal(LedgerErrorCodes.ValuationOverflow, valued.Error!.Code);
        Assert.Contains("SPY", valued.Error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Value_WhenThePositionsValuesSumBeyondADecimal_FailsWithValuationOverflow()
    {
        var ledger = AccountLedger.Open("a", AccountType.Cash, 1_000_000m)
            .ApplyFill(Exec("e1", OrderSide.Buy, 1m, 10m, symbol: "AAA")).Ledger
            .ApplyFill(Exec("e2", OrderSide.Buy, 1m, 10m, orderId: "o2", symbol: "BBB")).Ledger;
        var mark = 50_000_000_000_000_000_000_000_000_000m;

        var valued = ledger.Value(new Dictionary<string, decimal> { ["AAA"] = mark, ["BBB"] = mark });

        Assert.False(valued.IsSuccess);
        Assert.Equal(LedgerErrorCodes.ValuationOverflow, valued.Error!.Code);
    }
}

/// <summary>A drawdown whose percentage is beyond a decimal (a huge loss on a tiny high-water mark) still trips, never throws.</summary>
public sealed class BreakerDrawdownOverflowTests
{
    [Fact]
    public void Conditions_WithADrawdownPercentageBeyondADecimal_HaltOnDrawdown()
    {
        var signals = new Breaker.BreakerSignals { Equity = -10_000_000_000_000_000_000_000_000m, HighWaterMark = 0.01m };

        var conditions = Breaker.CircuitBreaker.Conditions(Breaker.BreakerPolicy.Default, signals, T0);

        var drawdown = Assert.Single(conditions, c => c.Trigger == Breaker.BreakerTrigger.Drawdown);
        Assert.Equal(Breaker.TradingState.Halted, drawdown.Target);
    }
}

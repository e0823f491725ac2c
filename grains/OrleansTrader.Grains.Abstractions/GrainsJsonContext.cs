using System.Text.Json.Serialization;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Risk;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>
/// Source-generated JSON for every record that crosses a stream or storage (and calls between silos). Register with
/// silo.AddJsonSerializerContext(GrainsJsonContext.Default); the gateway may use it to serialize events.
/// </summary>
[JsonSourceGenerationOptions(UseStringEnumConverter = true)]
[JsonSerializable(typeof(AccountEvent))]
[JsonSerializable(typeof(AccountEventPage))]
[JsonSerializable(typeof(AccountSnapshot))]
[JsonSerializable(typeof(AccountPerformance))]
[JsonSerializable(typeof(StrategyPerformance))]
[JsonSerializable(typeof(AccountPosition))]
[JsonSerializable(typeof(AccountOrder))]
[JsonSerializable(typeof(AccountFill))]
[JsonSerializable(typeof(JournalEntry))]
[JsonSerializable(typeof(AccountFillPage))]
[JsonSerializable(typeof(JournalPage))]
[JsonSerializable(typeof(AccountOrderPage))]
[JsonSerializable(typeof(OpenAccount))]
[JsonSerializable(typeof(PlaceOrder))]
[JsonSerializable(typeof(ReplaceOrder))]
[JsonSerializable(typeof(OrderCommandResult))]
[JsonSerializable(typeof(PositionCloseResult))]
[JsonSerializable(typeof(AccountCommandResult))]
[JsonSerializable(typeof(TransferCash))]
[JsonSerializable(typeof(CashTransferResult))]
[JsonSerializable(typeof(List<CashTransfer>))]
[JsonSerializable(typeof(ReconciliationReport))]
[JsonSerializable(typeof(BreakerSnapshot))]
[JsonSerializable(typeof(BreakerAuditEntry))]
[JsonSerializable(typeof(BreakerCommandResult))]
[JsonSerializable(typeof(AccountSignals))]
[JsonSerializable(typeof(BreakerPolicy))]
[JsonSerializable(typeof(BreakerActor))]
[JsonSerializable(typeof(BrokerOutcome))]
[JsonSerializable(typeof(RiskLimits))]
[JsonSerializable(typeof(RiskDecision))]
[JsonSerializable(typeof(MarketTick))]
[JsonSerializable(typeof(TickBatch))]
[JsonSerializable(typeof(TradeAmendment))]
[JsonSerializable(typeof(IngestResult))]
[JsonSerializable(typeof(SymbolQuote))]
[JsonSerializable(typeof(SymbolDataStats))]
[JsonSerializable(typeof(Bar))]
[JsonSerializable(typeof(CreateStrategy))]
[JsonSerializable(typeof(StrategyStatus))]
[JsonSerializable(typeof(StrategyCommandResult))]
[JsonSerializable(typeof(RunBacktest))]
[JsonSerializable(typeof(BacktestAnswer))]
public sealed partial class GrainsJsonContext : JsonSerializerContext;

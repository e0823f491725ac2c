using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.AspNetCore.Mvc;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Market;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Grains.Abstractions.Storage;

namespace OrleansTrader.Gateway.Json;

/// <summary>
/// Source-generated JSON for every request and response of the API (camelCase, enums as strings, strict numbers). Closed
/// type set: nothing is deserialized by a type name from the wire.
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web,
    UseStringEnumConverter = true,
    NumberHandling = JsonNumberHandling.Strict,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(CreateAccountRequest))]
[JsonSerializable(typeof(PlaceOrderRequest))]
[JsonSerializable(typeof(PreviewOrderRequest))]
[JsonSerializable(typeof(RiskDecision))]
[JsonSerializable(typeof(ReplaceOrderRequest))]
[JsonSerializable(typeof(BreakerTripRequest))]
[JsonSerializable(typeof(BreakerResetRequest))]
[JsonSerializable(typeof(CreateStrategyRequest))]
[JsonSerializable(typeof(StrategyParametersRequest))]
[JsonSerializable(typeof(IssueApiKeyRequest))]
[JsonSerializable(typeof(IssuedApiKey))]
[JsonSerializable(typeof(IReadOnlyList<ApiKeyInfo>))]
[JsonSerializable(typeof(IReadOnlyList<OrderCommandOutcome>))]
[JsonSerializable(typeof(IReadOnlyList<PositionCloseOutcome>))]
[JsonSerializable(typeof(TradingStateResponse))]
[JsonSerializable(typeof(EventHistoryTruncated))]
[JsonSerializable(typeof(AccountSnapshot))]
[JsonSerializable(typeof(AccountPerformance))]
[JsonSerializable(typeof(StrategyPerformance))]
[JsonSerializable(typeof(IReadOnlyList<AccountListing>))]
[JsonSerializable(typeof(IReadOnlyList<AccountPosition>))]
[JsonSerializable(typeof(AccountOrder))]
[JsonSerializable(typeof(TradeHistory))]
[JsonSerializable(typeof(IReadOnlyList<AccountOrder>))]
[JsonSerializable(typeof(IReadOnlyList<AccountFill>))]
[JsonSerializable(typeof(IReadOnlyList<JournalEntry>))]
[JsonSerializable(typeof(AccountEvent))]
[JsonSerializable(typeof(TransferCashRequest))]
[JsonSerializable(typeof(CashTransfer))]
[JsonSerializable(typeof(IReadOnlyList<CashTransfer>))]
[JsonSerializable(typeof(CreateWebhookRequest))]
[JsonSerializable(typeof(CreatedWebhook))]
[JsonSerializable(typeof(RotateWebhookSecretRequest))]
[JsonSerializable(typeof(WebhookStatus))]
[JsonSerializable(typeof(IReadOnlyList<WebhookStatus>))]
[JsonSerializable(typeof(RiskLimits))]
[JsonSerializable(typeof(RiskLimitsRequest))]
[JsonSerializable(typeof(BreakerSnapshot))]
[JsonSerializable(typeof(BreakerPolicy))]
[JsonSerializable(typeof(BreakerPolicyRequest))]
[JsonSerializable(typeof(IReadOnlyList<BreakerAuditEntry>))]
[JsonSerializable(typeof(StrategyStatus))]
[JsonSerializable(typeof(IReadOnlyList<StrategyStatus>))]
[JsonSerializable(typeof(IReadOnlyList<StrategyKindInfo>))]
[JsonSerializable(typeof(RunBacktestRequest))]
[JsonSerializable(typeof(BacktestReport))]
[JsonSerializable(typeof(RunBacktestSweepRequest))]
[JsonSerializable(typeof(BacktestSweepReport))]
[JsonSerializable(typeof(IReadOnlyList<BacktestFileSet>))]
[JsonSerializable(typeof(SymbolQuote))]
[JsonSerializable(typeof(DataBackupResult))]
[JsonSerializable(typeof(IReadOnlyList<Bar>))]
[JsonSerializable(typeof(ProblemDetails))]
[JsonSerializable(typeof(HttpValidationProblemDetails))]
[JsonSerializable(typeof(string))]
[JsonSerializable(typeof(decimal))]
[JsonSerializable(typeof(long))]
[JsonSerializable(typeof(int))]
[JsonSerializable(typeof(bool))]
[JsonSerializable(typeof(string[]))]
[JsonSerializable(typeof(Dictionary<string, string[]>))]
public sealed partial class GatewayJsonContext : JsonSerializerContext;

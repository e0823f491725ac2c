using System.Text.Json.Serialization;

namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// Source-generated JSON of the account's stored records, compact because the core record is written on every order:
/// nulls are left out, and so are get-only properties (the domain's computed values such as Position.AverageEntryPrice
/// or Order.ClientOrderId, which are never read back). The round-trip tests pin that nothing stored is lost.
/// </summary>
[JsonSourceGenerationOptions(
    UseStringEnumConverter = true,
    DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    IgnoreReadOnlyProperties = true)]
[JsonSerializable(typeof(AccountState))]
[JsonSerializable(typeof(WorkingOrder))]
[JsonSerializable(typeof(AccountHistoryPage))]
[JsonSerializable(typeof(AccountSettings))]
[JsonSerializable(typeof(AccountDays))]
[JsonSerializable(typeof(AccountTransfers))]
[JsonSerializable(typeof(Trades.TradesPage))]
internal sealed partial class AccountStateJsonContext : JsonSerializerContext;

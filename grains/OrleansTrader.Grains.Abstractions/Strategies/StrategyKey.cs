namespace OrleansTrader.Grains.Abstractions;

/// <summary>Strategy grain keys: "accountId/strategyId". Neither part may contain '/'.</summary>
public static class StrategyKey
{
    public static string Create(string accountId, string strategyId)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(accountId);
        ArgumentException.ThrowIfNullOrWhiteSpace(strategyId);
        if (accountId.Contains('/', StringComparison.Ordinal) || strategyId.Contains('/', StringComparison.Ordinal))
        {
            throw new ArgumentException("Account and strategy ids may not contain '/'.");
        }

        return $"{accountId}/{strategyId}";
    }

    /// <summary>Splits a key; false when it is not "accountId/strategyId".</summary>
    public static bool TryParse(string key, out string accountId, out string strategyId)
    {
        ArgumentNullException.ThrowIfNull(key);
        var slash = key.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash == key.Length - 1 || key.IndexOf('/', slash + 1) >= 0)
        {
            accountId = string.Empty;
            strategyId = string.Empty;
            return false;
        }

        accountId = key[..slash];
        strategyId = key[(slash + 1)..];
        return true;
    }
}

namespace OrleansTrader.Grains.ApiKeys;

/// <summary>API key registry bounds (section "Trading:ApiKeys"; LESSONS 8).</summary>
public sealed class ApiKeyRegistryOptions
{
    public const string SectionName = "Trading:ApiKeys";

    /// <summary>Active keys at most; a new key beyond it is refused until keys are revoked. Revoked keys do not count.</summary>
    public int MaxActiveKeys { get; set; } = 10_000;

    /// <summary>
    /// Revoked keys kept for audit (listed with their revokedAt); beyond it the longest-revoked are forgotten. Bootstrap
    /// admin keys are always kept: a revoked Gateway:BootstrapAdminKey left in the configuration must stay revoked.
    /// </summary>
    public int RevokedKeysKept { get; set; } = 10_000;
}

namespace OrleansTrader.Grains.Abstractions;

/// <summary>The roles an API key can carry. Admin implies every other role and every account.</summary>
public static class ApiKeyRoles
{
    public const string Trader = "trader";
    public const string Risk = "risk";
    public const string Admin = "admin";

    public static IReadOnlyList<string> All { get; } = [Trader, Risk, Admin];

    public static bool IsKnown(string? role) => role is Trader or Risk or Admin;
}

using System.Text.Json.Serialization;

namespace OrleansTrader.Domain.Fees;

/// <summary>
/// A per-account fee model choice, serializable with the account. Parameters unused by a kind are ignored.
/// <see cref="Validate"/> lists every problem; <see cref="FeeModelFactory.Create"/> refuses an invalid spec.
/// </summary>
public sealed record FeeModelSpec
{
    public const string InvalidCode = "FEE_MODEL_INVALID";

    public static FeeModelSpec Default { get; } = new();

    public FeeModelSpec()
    {
    }

    /// <summary>
    /// The JSON reader's constructor, for <see cref="DatedRegulatoryRates"/>: the source-generated reader sets an init-only
    /// member the stored JSON lacks to false (not to its initializer), but gives a missing constructor parameter its
    /// default. So a spec stored before the setting existed reads true, as the setting says.
    /// </summary>
    [JsonConstructor]
    public FeeModelSpec(bool datedRegulatoryRates = true) => DatedRegulatoryRates = datedRegulatoryRates;

    public FeeModelKind Kind { get; init; } = FeeModelKind.ZeroCommission;

    public decimal PerShareRate { get; init; } = 0.005m;

    public decimal MinimumPerOrder { get; init; } = 1.00m;

    public decimal MaxPercentOfNotional { get; init; } = 0.5m;

    public decimal BasisPoints { get; init; } = 1m;

    public bool IncludeRegulatoryFees { get; init; } = true;

    public decimal SecFeePerMillion { get; init; } = RegulatoryFees.DefaultSecFeePerMillion;

    public decimal TafPerShare { get; init; } = RegulatoryFees.DefaultTafPerShare;

    public decimal TafMaxPerTrade { get; init; } = RegulatoryFees.DefaultTafMaxPerTrade;

    /// <summary>
    /// True (the default, and what an account stored before this setting reads as): a fill pays the regulatory rates in
    /// force on its trade date (<see cref="RegulatoryFeeSchedule"/>); the three rates above then price only undated
    /// estimates and trades before the schedule. False: the three rates above price every fill.
    /// </summary>
    public bool DatedRegulatoryRates { get; init; } = true;

    public IReadOnlyList<DomainError> Validate()
    {
        var errors = new List<DomainError>();
        if (!Enum.IsDefined(Kind))
        {
            errors.Add(new DomainError(InvalidCode, $"Unknown fee model kind {Kind}."));
        }

        Require(PerShareRate >= 0m, "PerShareRate must not be negative.", errors);
        Require(MinimumPerOrder >= 0m, "MinimumPerOrder must not be negative.", errors);
        Require(MaxPercentOfNotional > 0m && MaxPercentOfNotional <= 100m, "MaxPercentOfNotional must be in (0, 100].", errors);
        Require(BasisPoints >= 0m && BasisPoints <= 10_000m, "BasisPoints must be in [0, 10000].", errors);
        Require(SecFeePerMillion >= 0m && SecFeePerMillion <= 1_000m, "SecFeePerMillion must be in [0, 1000].", errors);
        Require(TafPerShare >= 0m && TafPerShare <= 0.01m, "TafPerShare must be in [0, 0.01].", errors);
        Require(TafMaxPerTrade >= 0m && TafMaxPerTrade <= 1_000m, "TafMaxPerTrade must be in [0, 1000].", errors);
        return errors;
    }

    public RegulatoryFees? RegulatoryFees => IncludeRegulatoryFees
        ? new RegulatoryFees
        {
            SecFeePerMillion = SecFeePerMillion, TafPerShare = TafPerShare, TafMaxPerTrade = TafMaxPerTrade, Dated = DatedRegulatoryRates,
        }
        : null;

    private static void Require(bool condition, string message, List<DomainError> errors)
    {
        if (!condition)
        {
            errors.Add(new DomainError(InvalidCode, message));
        }
    }
}

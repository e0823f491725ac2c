namespace OrleansTrader.Domain.Breaker;

public static class BreakerErrorCodes
{
    public const string PolicyInvalid = "BREAKER_POLICY_INVALID";
    public const string ReasonRequired = "BREAKER_REASON_REQUIRED";
    public const string RiskRoleRequired = "BREAKER_RISK_ROLE_REQUIRED";
    public const string NotMoreSevere = "BREAKER_TRIP_NOT_MORE_SEVERE";
    public const string NotLessSevere = "BREAKER_RESET_NOT_LESS_SEVERE";
    public const string ConditionStillHolds = "BREAKER_CONDITION_STILL_HOLDS";
}

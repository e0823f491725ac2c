namespace OrleansTrader.Runtime;

/// <summary>Passed to <see cref="Grain.OnDeactivateAsync"/>: the reason code, a description, and the exception if one caused it.</summary>
public readonly record struct DeactivationReason(DeactivationReasonCode ReasonCode, string Description, Exception? Exception = null)
{
    public override string ToString() => $"{ReasonCode}: {Description}";
}

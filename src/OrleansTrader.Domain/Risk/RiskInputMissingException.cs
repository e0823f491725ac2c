namespace OrleansTrader.Domain.Risk;

/// <summary>Raised by <see cref="RiskContext"/> when a check needs an input that is absent; the engine turns it into a denial.</summary>
public sealed class RiskInputMissingException : Exception
{
    public RiskInputMissingException()
        : this(RiskReasonCodes.InputMissing, "A required risk input is missing.")
    {
    }

    public RiskInputMissingException(string message)
        : this(RiskReasonCodes.InputMissing, message)
    {
    }

    public RiskInputMissingException(string message, Exception innerException)
        : base(message, innerException) => ReasonCode = RiskReasonCodes.InputMissing;

    public RiskInputMissingException(string reasonCode, string message)
        : base(message) => ReasonCode = reasonCode;

    public string ReasonCode { get; }
}

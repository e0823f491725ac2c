namespace OrleansTrader.Grains.Accounts;

/// <summary>
/// A booked execution the broker listed with another quantity or price, as reconciliation reported it: kept with the core
/// record so that a later activation does not report (and trip REDUCING on) the same correction again, while another
/// correction of the execution (the broker changing it again) is reported.
/// </summary>
internal sealed record ReportedCorrection
{
    public required string ExecutionId { get; init; }

    /// <summary>The quantity the broker showed.</summary>
    public required decimal Quantity { get; init; }

    /// <summary>The price the broker showed.</summary>
    public required decimal Price { get; init; }

    /// <summary>The execution's time at the broker: the entry goes once the back-fill no longer reaches back to it.</summary>
    public required DateTimeOffset Timestamp { get; init; }
}

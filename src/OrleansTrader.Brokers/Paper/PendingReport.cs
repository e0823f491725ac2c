namespace OrleansTrader.Brokers.Paper;

/// <summary>A report produced by a change, published after the change is saved, <see cref="Latency"/> later.</summary>
internal sealed record PendingReport(ExecutionReport Report, TimeSpan Latency);

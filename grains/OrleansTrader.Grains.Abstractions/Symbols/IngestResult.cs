namespace OrleansTrader.Grains.Abstractions;

public sealed record IngestResult(int Accepted, int Rejected);

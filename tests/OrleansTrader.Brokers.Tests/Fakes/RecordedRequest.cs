namespace OrleansTrader.Brokers.Tests.Fakes;

/// <summary>One request as the fake saw it; <see cref="Timestamp"/> is a Stopwatch timestamp taken on arrival.</summary>
public sealed record RecordedRequest(string Method, string Path, string Query, string Body, long Timestamp, string? KeyHeader);

namespace OrleansTrader.Gateway.Tests.Infrastructure;

public sealed record SseEvent(long? Id, string? Kind, string Data);

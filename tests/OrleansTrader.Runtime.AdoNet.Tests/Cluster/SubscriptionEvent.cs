namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed record SubscriptionEvent(int Number);

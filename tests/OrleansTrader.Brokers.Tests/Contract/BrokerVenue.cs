namespace OrleansTrader.Brokers.Tests.Contract;

/// <summary>A client under test, the driver of its venue, and whatever must be disposed afterwards.</summary>
public sealed record BrokerVenue(IBrokerClient Client, IVenueDriver Driver, IAsyncDisposable Owner);

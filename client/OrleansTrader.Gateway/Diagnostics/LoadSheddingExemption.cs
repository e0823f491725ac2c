namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>
/// Endpoint metadata: the route is served whatever the load (<see cref="LoadSheddingMiddleware"/>). Given to the routes
/// that reduce risk, which must answer when a flood is the very reason to use them, and to the long-lived event streams,
/// which have their own cap per key and would otherwise hold places for hours.
/// </summary>
internal sealed class LoadSheddingExemption
{
    public static readonly LoadSheddingExemption Instance = new();

    private LoadSheddingExemption()
    {
    }
}

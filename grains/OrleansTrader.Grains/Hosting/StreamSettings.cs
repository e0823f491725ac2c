namespace OrleansTrader.Grains.Hosting;

/// <summary>
/// Section "Streams": how long the durable stream log (the accounts' fills) keeps events every consumer has acknowledged,
/// and how often it is trimmed of older ones (<see cref="Runtime.DurableStreamOptions"/>).
/// </summary>
public sealed class StreamSettings
{
    public const string SectionName = "Streams";

    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    public TimeSpan TrimInterval { get; set; } = TimeSpan.FromMinutes(10);
}

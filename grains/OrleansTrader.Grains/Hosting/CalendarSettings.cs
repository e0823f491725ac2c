namespace OrleansTrader.Grains.Hosting;

/// <summary>Section "Calendar": "always-open" (default, a simulated session) or "nyse".</summary>
public sealed class CalendarSettings
{
    public const string SectionName = "Calendar";

    public string Kind { get; set; } = "always-open";
}

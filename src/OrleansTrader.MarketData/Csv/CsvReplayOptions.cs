namespace OrleansTrader.MarketData.Csv;

public sealed class CsvReplayOptions
{
    public const string SectionName = "MarketData:Csv";

    /// <summary>Root folder holding <c>daily/</c>, <c>minute/</c> and <c>ticks/</c> (see docs/market-data.md).</summary>
    public string DataPath { get; set; } = string.Empty;

    public IList<string> Symbols { get; } = [];

    public IList<CsvFileKind> Kinds { get; } = [];

    /// <summary>First trading date replayed (inclusive); null for no lower bound.</summary>
    public DateOnly? StartDate { get; set; }

    /// <summary>Last trading date replayed (inclusive); null for no upper bound.</summary>
    public DateOnly? EndDate { get; set; }

    /// <summary>Data time per wall-clock time: 60 replays one data-minute per second; 0 replays as fast as possible.</summary>
    public double SpeedFactor { get; set; }

    /// <summary>Run every tick through the <see cref="Validation.TickValidator"/> and deliver only accepted ones.</summary>
    public bool Validate { get; set; } = true;

    /// <summary>Bad rows logged one by one per file; the rest are counted and summarised when the file ends.</summary>
    public int MaxLoggedBadRowsPerFile { get; set; } = 20;
}

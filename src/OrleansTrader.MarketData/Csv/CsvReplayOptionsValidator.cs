using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;

namespace OrleansTrader.MarketData.Csv;

internal sealed class CsvReplayOptionsValidator(IConfiguration configuration) : IValidateOptions<CsvReplayOptions>
{
    public ValidateOptionsResult Validate(string? name, CsvReplayOptions options)
    {
        var failures = new List<string>();
        var section = CsvReplayOptions.SectionName;

        // The binder skips a list element it cannot convert, silently: a misspelt kind replayed the default minute bars.
        var unknownKinds = configuration.GetSection($"{section}:{nameof(CsvReplayOptions.Kinds)}").GetChildren()
            .Where(kind => !Enum.TryParse<CsvFileKind>(kind.Value, ignoreCase: true, out var parsed) || !Enum.IsDefined(parsed))
            .ToList();
        foreach (var kind in unknownKinds)
        {
            failures.Add($"{kind.Path} is \"{kind.Value}\", not one of {string.Join(", ", Enum.GetNames<CsvFileKind>())}.");
        }

        if (string.IsNullOrWhiteSpace(options.DataPath))
        {
            failures.Add($"{section}:DataPath is required (the folder holding daily/, minute/ and ticks/).");
        }
        else if (!Directory.Exists(options.DataPath))
        {
            failures.Add($"{section}:DataPath '{options.DataPath}' does not exist.");
        }

        if (options.Symbols.Count == 0 || options.Symbols.Any(string.IsNullOrWhiteSpace))
        {
            failures.Add($"{section}:Symbols needs at least one non-empty symbol.");
        }

        if (options.StartDate is { } start && options.EndDate is { } end && start > end)
        {
            failures.Add($"{section}:StartDate {start:yyyy-MM-dd} is after EndDate {end:yyyy-MM-dd}.");
        }

        if (options.SpeedFactor < 0 || double.IsNaN(options.SpeedFactor) || double.IsInfinity(options.SpeedFactor))
        {
            failures.Add($"{section}:SpeedFactor must be a finite number >= 0 (0 = as fast as possible).");
        }

        if (options.MaxLoggedBadRowsPerFile < 0)
        {
            failures.Add($"{section}:MaxLoggedBadRowsPerFile must be >= 0.");
        }

        // A symbol without files is a configuration mistake: found only when the replay ran, the silo started and served
        // while the feed had stopped with an error in the log.
        if (failures.Count == 0)
        {
            foreach (var symbol in options.Symbols.Distinct(StringComparer.Ordinal))
            {
                if (CsvSourceDiscovery.MissingFilesOf(options, symbol) is { } missing)
                {
                    failures.Add(missing);
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}

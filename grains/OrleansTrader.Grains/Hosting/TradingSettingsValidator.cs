using Microsoft.Extensions.Options;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;
using OrleansTrader.Runtime.AdoNet;

namespace OrleansTrader.Grains.Hosting;

/// <summary>Startup validation of the silo's trading configuration, with messages that say what to set.</summary>
internal sealed class TradingSettingsValidator :
    IValidateOptions<StorageSettings>, IValidateOptions<FeedSettings>, IValidateOptions<CalendarSettings>, IValidateOptions<DemoSettings>,
    IValidateOptions<StreamSettings>
{
    public static readonly string[] StorageProviders = ["sqlite", "postgres", "memory"];
    public static readonly string[] FeedKinds = ["synthetic", "replay", "alpaca", "none"];
    public static readonly string[] CalendarKinds = ["always-open", "nyse"];

    /// <summary>The longest Storage:CommandTimeout, as the PostgreSQL providers accept it.</summary>
    private static readonly TimeSpan MaxCommandTimeout = TimeSpan.FromHours(1);

    public ValidateOptionsResult Validate(string? name, StorageSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!StorageProviders.Contains(options.Provider, StringComparer.Ordinal))
        {
            failures.Add($"Storage:Provider must be one of {string.Join(", ", StorageProviders)} (got \"{options.Provider}\").");
        }

        if (options.Provider == "postgres" && string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            failures.Add("Storage:ConnectionString is required when Storage:Provider is postgres.");
        }
        else if (options.Provider == "postgres"
            && PostgresStorageOptionsValidator.ConnectionStringError(options.ConnectionString!, "Storage:ConnectionString") is { } unusable)
        {
            // Left to the providers, the start's line named their own option ("PostgreSQL ConnectionString"), not this key.
            failures.Add(unusable);
        }
        else if (options.Provider is "sqlite" or "memory" && !string.IsNullOrWhiteSpace(options.ConnectionString))
        {
            // Storage:Provider left out ran the silo on SQLite files beside it (a container's disk, lost with it) while the
            // operator believed it stored in PostgreSQL.
            failures.Add($"Storage:ConnectionString is set but Storage:Provider is \"{options.Provider}\", which does not use it: set Storage:Provider to postgres to store in that PostgreSQL database, or remove Storage:ConnectionString.");
        }

        if (options.Provider == "sqlite" && string.IsNullOrWhiteSpace(options.DataDirectory))
        {
            failures.Add("Storage:DataDirectory must name a folder for the SQLite database.");
        }

        ValidateBackups(options, failures);

        // The wait logs when it gives up: a longer one (an operator's "wait forever") failed the start at the first attempt
        // with "The added or subtracted value results in an un-representable DateTime", naming no setting.
        if (options.StartupTimeout < TimeSpan.Zero || options.StartupTimeout > TimerLimits.MaxSpan)
        {
            failures.Add($"Storage:StartupTimeout must not be negative nor longer than {TimerLimits.MaxSpan} (got {options.StartupTimeout}).");
        }

        if (options.CommandTimeout <= TimeSpan.Zero || options.CommandTimeout > MaxCommandTimeout)
        {
            failures.Add($"Storage:CommandTimeout must be greater than zero and at most {MaxCommandTimeout} (got {options.CommandTimeout}).");
        }

        return Result(failures);
    }

    private static void ValidateBackups(StorageSettings options, List<string> failures)
    {
        if (options.BackupDirectory is null && options.BackupsKept is null)
        {
            return;
        }

        // POST /api/backups writes SQLite's files only: on another provider these settings would do nothing without a word.
        if (options.Provider != "sqlite")
        {
            failures.Add($"Storage:BackupDirectory and Storage:BackupsKept apply to the SQLite provider only (Storage:Provider is \"{options.Provider}\"; on PostgreSQL back up with pg_dump).");
            return;
        }

        if (options.BackupsKept is < 1)
        {
            failures.Add($"Storage:BackupsKept must be at least 1 (got {options.BackupsKept}); leave it unset to keep every backup.");
        }

        if (options.BackupDirectory is not { } directory)
        {
            return;
        }

        if (string.IsNullOrWhiteSpace(directory) || FullPathOrNull(directory) is not { } backups)
        {
            failures.Add($"Storage:BackupDirectory must name a folder (got \"{directory}\"); leave it unset for \"backups\" in Storage:DataDirectory.");
        }
        else if (!string.IsNullOrWhiteSpace(options.DataDirectory) && FullPathOrNull(options.DataDirectory) is { } data
            && string.Equals(backups, data, StringComparison.Ordinal))
        {
            // Backups among the live files would be copied, moved and restored with them, and pruning would work there.
            failures.Add($"Storage:BackupDirectory must not be the data directory itself ({backups}; a relative path is read from the working directory): leave it unset for \"backups\" in it, or name another folder.");
        }
    }

    /// <summary>The absolute form of a folder's path, without a trailing separator, or null when it is no path at all.</summary>
    private static string? FullPathOrNull(string path)
    {
        try
        {
            return Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
        }
        catch (Exception ex) when (ex is ArgumentException or NotSupportedException or PathTooLongException)
        {
            return null;
        }
    }

    public ValidateOptionsResult Validate(string? name, FeedSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (!FeedKinds.Contains(options.Kind, StringComparer.Ordinal))
        {
            failures.Add($"Feed:Kind must be one of {string.Join(", ", FeedKinds)} (got \"{options.Kind}\").");
        }

        if (options.Kind == "replay" && (string.IsNullOrWhiteSpace(options.Path) || !Directory.Exists(options.Path)))
        {
            // A relative path is read from the working directory, which `dotnet run` sets to the project's folder: the
            // message showed "../shared/data/market" as given, not the folder the silo had looked in.
            var resolved = string.IsNullOrWhiteSpace(options.Path) ? string.Empty : $" ({Path.GetFullPath(options.Path)})";
            failures.Add($"Feed:Path must name an existing folder of CSV market data when Feed:Kind is replay (got \"{options.Path}\"{resolved}; a relative path is read from the working directory).");
        }

        if (options.Speed < 0 || double.IsNaN(options.Speed) || double.IsInfinity(options.Speed))
        {
            failures.Add("Feed:Speed must be 0 (as fast as possible) or a positive factor.");
        }

        // Without symbols the replay had nothing to read, and the failure named MarketData:Csv:Symbols, a key the silo's
        // configuration never mentions.
        if (options.Kind == "replay" && options.Symbols.Count == 0)
        {
            failures.Add("Feed:Symbols must list at least one symbol to replay when Feed:Kind is replay (Feed__Symbols__0=SPY, ...).");
        }

        if (options.StaleAfterSeconds < 1)
        {
            failures.Add("Feed:StaleAfterSeconds must be at least 1.");
        }

        // A symbol no route or order accepts (e.g. "spy") would be fed and stored under a name nothing can ask for.
        var invalid = options.Symbols.Where(s => !Domain.Instruments.SymbolRules.IsValid(s)).ToList();
        if (invalid.Count > 0)
        {
            failures.Add($"Feed:Symbols must list symbols such as SPY (upper-case letters, digits, '.' or '/'; got \"{string.Join("\", \"", invalid)}\").");
        }

        if (options.Symbols.Distinct(StringComparer.Ordinal).Count() != options.Symbols.Count)
        {
            failures.Add("Feed:Symbols lists a symbol twice.");
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, CalendarSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return CalendarKinds.Contains(options.Kind, StringComparer.Ordinal)
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"Calendar:Kind must be one of {string.Join(", ", CalendarKinds)} (got \"{options.Kind}\").");
    }

    public ValidateOptionsResult Validate(string? name, DemoSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Enabled)
        {
            // The API's own rule: an id it refuses would name a demo account no call could reach.
            if (!IdRules.IsValid(options.AccountId))
            {
                failures.Add($"Demo:AccountId must be {IdRules.Description}, as the HTTP API's account ids are (got \"{options.AccountId}\").");
            }

            if (!Domain.Instruments.SymbolRules.IsValid(options.Symbol))
            {
                failures.Add($"Demo:Symbol must be a symbol such as SPY (upper-case letters, digits, '.' or '/'; got \"{options.Symbol}\").");
            }

            if (options.Cash <= 0m || options.Cash > CashTransferRules.MaxCash)
            {
                // The demo account opens with it, and the account refuses more (as the gateway does).
                failures.Add($"Demo:Cash must be positive and at most {CashTransferRules.MaxCashText} (got {options.Cash.ToString(System.Globalization.CultureInfo.InvariantCulture)}).");
            }

            if (options.Quantity <= 0m)
            {
                failures.Add("Demo:Quantity must be positive.");
            }

            if (options.FastPeriod < 1 || options.SlowPeriod <= options.FastPeriod)
            {
                failures.Add("Demo:FastPeriod must be at least 1 and below Demo:SlowPeriod.");
            }
        }

        return Result(failures);
    }

    public ValidateOptionsResult Validate(string? name, StreamSettings options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = new List<string>();
        if (options.Retention <= TimeSpan.Zero)
        {
            failures.Add($"Streams:Retention must be positive (got {options.Retention}).");
        }

        // The trim runs on a timer: a longer interval stopped the start with the timer's own message, naming no setting.
        if (options.TrimInterval <= TimeSpan.Zero || options.TrimInterval > TimerLimits.MaxSpan)
        {
            failures.Add($"Streams:TrimInterval must be positive and at most {TimerLimits.MaxSpan} (got {options.TrimInterval}).");
        }

        return Result(failures);
    }

    private static ValidateOptionsResult Result(List<string> failures) =>
        failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
}

namespace OrleansTrader.Grains.Abstractions;

public static class StrategyErrorCodes
{
    public const string NotFound = "STRATEGY_NOT_FOUND";
    public const string AlreadyExists = "STRATEGY_ALREADY_EXISTS";

    /// <summary>The account holds <see cref="StrategyLimits.MaxPerAccount"/> strategies: a new one needs one deleted first.</summary>
    public const string Limit = "STRATEGY_LIMIT";

    public const string InvalidKey = "STRATEGY_KEY_INVALID";
    public const string InvalidParameters = "STRATEGY_PARAMETERS_INVALID";
    public const string UnknownKind = "STRATEGY_KIND_UNKNOWN";

    /// <summary>A backtest found no bars of its symbols to run on.</summary>
    public const string NoBars = "BACKTEST_NO_BARS";

    /// <summary>A backtest asked for the market-data files, and the silo has no folder of them configured.</summary>
    public const string NoFiles = "BACKTEST_NO_FILES";

    /// <summary>A sweep stopped between its runs because its caller hung up (<see cref="RequestContextKeys.RequestAborted"/>).</summary>
    public const string Canceled = "BACKTEST_CANCELED";

    /// <summary>What <see cref="NoFiles"/> tells the caller.</summary>
    public const string NoFilesMessage = "This silo has no folder of market-data files to backtest on: set Backtests__DataPath.";
}

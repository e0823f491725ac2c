namespace OrleansTrader.MarketData.Alpaca;

/// <summary>Error codes of the Alpaca market data stream, as documented by Alpaca.</summary>
public static class AlpacaStreamErrors
{
    public const int InvalidSyntax = 400;
    public const int NotAuthenticated = 401;
    public const int AuthFailed = 402;
    public const int AlreadyAuthenticated = 403;
    public const int AuthTimeout = 404;
    public const int SymbolLimitExceeded = 405;
    public const int ConnectionLimitExceeded = 406;
    public const int SlowClient = 407;
    public const int VersionNotEnabled = 408;
    public const int InsufficientSubscription = 409;
    public const int InvalidSubscribeAction = 410;
    public const int OptionsNeedMsgPack = 412;
    public const int StarSubscriptionNotAllowed = 413;
    public const int InternalError = 500;

    public static string Describe(int code) => code switch
    {
        InvalidSyntax => "invalid syntax: the client sent a message the server could not read",
        NotAuthenticated => "not authenticated: a message was sent before authentication",
        AuthFailed => "auth failed: the key id or secret was rejected",
        AlreadyAuthenticated => "already authenticated",
        AuthTimeout => "auth timeout: authentication did not complete within 10 seconds",
        SymbolLimitExceeded => "symbol limit exceeded: the plan allows fewer symbols than subscribed",
        ConnectionLimitExceeded => "connection limit exceeded: another connection already uses these keys (one stream per key)",
        SlowClient => "slow client: the server's buffer for this connection overflowed",
        VersionNotEnabled => "v2 not enabled: the account has no access to Alpaca's market data v2",
        InsufficientSubscription => "insufficient subscription: the plan does not include this feed",
        InvalidSubscribeAction => "invalid subscribe action for this feed",
        OptionsNeedMsgPack => "option messages are only available in MsgPack",
        StarSubscriptionNotAllowed => "star subscription is not allowed for option quotes",
        InternalError => "internal error at Alpaca",
        _ => "unknown error code",
    };

    /// <summary>
    /// Whether the code refuses the account itself (the keys, or a feed the plan does not include): asking again with the
    /// same keys and plan gets the same answer, so only an operator's change of keys or plan ends it.
    /// </summary>
    public static bool NeedsOperator(int? code) => code is AuthFailed or VersionNotEnabled or InsufficientSubscription;
}

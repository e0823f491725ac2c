using OrleansTrader.Domain.Breaker;
using OrleansTrader.Domain.Fees;
using OrleansTrader.Domain.Orders;
using OrleansTrader.Domain.Portfolio;
using OrleansTrader.Domain.Risk;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Validation;

/// <summary>Validates request bodies field by field and maps them to the grains' commands (null when anything is wrong).</summary>
internal static class RequestMapping
{
    public const int MaxStrategySymbols = 20;
    public const int MaxParameters = 32;
    public const int MaxKeyAccounts = 100;
    private const string ParameterNameRule = "Parameter names are 1 to 64 characters of A-Z, a-z, 0-9, '-', '_' and '.'.";
    private static readonly TimeSpan MaxRiskWindow = TimeSpan.FromHours(1);
    private static readonly TimeSpan MaxBreakerWindow = TimeSpan.FromDays(1);

    public static OpenAccount? ToOpenAccount(CreateAccountRequest request, bool allowAlpaca, ValidationErrors errors)
    {
        if (request.AccountId is not null)
        {
            Rules.RequireId(errors, "accountId", request.AccountId);
        }

        Rules.RequireText(errors, "name", request.Name, Rules.MaxNameLength, required: true);
        if (request.InitialCash is not { } cash)
        {
            errors.Add("initialCash", "Is required.");
        }
        else if (cash < 0m || cash > Rules.MaxCash || cash.Scale > 2)
        {
            errors.Add("initialCash", $"Must be between 0 and {Rules.MaxCash} with at most 2 decimals.");
        }

        var currency = request.Currency ?? "USD";
        if (currency != "USD")
        {
            errors.Add("currency", "Only USD is supported.");
        }

        var broker = request.Broker ?? BrokerNames.Paper;
        if (broker != BrokerNames.Paper && !(allowAlpaca && broker == BrokerNames.Alpaca))
        {
            errors.Add("broker", allowAlpaca ? "Must be \"paper\" or \"alpaca\"." : "Must be \"paper\" (this silo has no Alpaca configuration).");
        }

        var accountType = Rules.ParseEnum<AccountType>(errors, "marginType", request.MarginType, required: false) ?? AccountType.Cash;
        var fees = ToFeeModel(request.FeeModel, errors);
        var limits = CheckRiskLimits(Merge(RiskLimits.Default, request.RiskLimits), "riskLimits", errors);
        var breakerPolicy = CheckBreakerPolicy(Merge(BreakerPolicy.Default, request.BreakerPolicy), "breakerPolicy", errors);
        if (!errors.IsEmpty || fees is null || limits is null || breakerPolicy is null)
        {
            return null;
        }

        return new OpenAccount
        {
            Cash = request.InitialCash!.Value,
            Currency = currency,
            Broker = broker,
            AccountType = accountType,
            FeeModel = fees,
            RiskLimits = limits,
            BreakerPolicy = breakerPolicy,
            Name = request.Name,
        };
    }

    /// <summary>The limits with every field the request sets replaced (source-generated JSON cannot keep a record's
    /// defaults for omitted init-only properties, so requests use nullable fields and merge here).</summary>
    public static RiskLimits Merge(RiskLimits current, RiskLimitsRequest? request) => request is null ? current : current with
    {
        MaxOrderNotional = request.MaxOrderNotional ?? current.MaxOrderNotional,
        MaxPositionNotional = request.MaxPositionNotional ?? current.MaxPositionNotional,
        MaxPositionPercentOfEquity = request.MaxPositionPercentOfEquity ?? current.MaxPositionPercentOfEquity,
        MaxOpenOrders = request.MaxOpenOrders ?? current.MaxOpenOrders,
        MaxSubmitsPerWindow = request.MaxSubmitsPerWindow ?? current.MaxSubmitsPerWindow,
        SubmitWindow = request.SubmitWindow ?? current.SubmitWindow,
        MaxQuoteAge = request.MaxQuoteAge ?? current.MaxQuoteAge,
        PriceBandPercent = request.PriceBandPercent ?? current.PriceBandPercent,
        AllowShortSelling = request.AllowShortSelling ?? current.AllowShortSelling,
        RequireMarketOpen = request.RequireMarketOpen ?? current.RequireMarketOpen,
    };

    /// <summary>
    /// The limits when valid, else null with each problem under its field: "<paramref name="prefix"/>.maxOpenOrders", or
    /// "maxOpenOrders" at the body's root when <paramref name="prefix"/> is empty.
    /// </summary>
    public static RiskLimits? CheckRiskLimits(RiskLimits limits, string prefix, ValidationErrors errors)
    {
        var before = errors.IsEmpty;
        string Field(string name) => prefix.Length == 0 ? name : prefix + "." + name;
        Rules.RequireRange(errors, Field("maxOrderNotional"), limits.MaxOrderNotional, 0m, Rules.MaxCash);
        Rules.RequireRange(errors, Field("maxPositionNotional"), limits.MaxPositionNotional, 0m, Rules.MaxCash);
        Rules.RequireRange(errors, Field("maxOpenOrders"), limits.MaxOpenOrders, 1m, 10_000m);
        Rules.RequireRange(errors, Field("maxSubmitsPerWindow"), limits.MaxSubmitsPerWindow, 1m, 100_000m);
        if (limits.SubmitWindow > MaxRiskWindow)
        {
            errors.Add(Field("submitWindow"), "Must be at most one hour.");
        }

        if (limits.MaxQuoteAge > MaxRiskWindow)
        {
            errors.Add(Field("maxQuoteAge"), "Must be at most one hour.");
        }

        // The domain's own rules name the property at fault: reported under that field, once, unless the checks above
        // already refused it.
        foreach (var error in limits.Validate())
        {
            var field = error.Field is { Length: > 0 } property
                ? Field(char.ToLowerInvariant(property[0]) + property[1..])
                : prefix.Length == 0 ? "body" : prefix;
            if (!errors.Has(field))
            {
                errors.Add(field, error.Message);
            }
        }

        return before && errors.IsEmpty ? limits : null;
    }

    /// <summary>The policy with every field the request sets replaced (as <see cref="Merge(RiskLimits, RiskLimitsRequest?)"/>).</summary>
    public static BreakerPolicy Merge(BreakerPolicy current, BreakerPolicyRequest? request) => request is null ? current : current with
    {
        DailyLossLimit = request.DailyLossLimit ?? current.DailyLossLimit,
        MaxDrawdownPercent = request.MaxDrawdownPercent ?? current.MaxDrawdownPercent,
        MaxBrokerErrorRate = request.MaxBrokerErrorRate ?? current.MaxBrokerErrorRate,
        ErrorWindow = request.ErrorWindow ?? current.ErrorWindow,
        MinErrorSamples = request.MinErrorSamples ?? current.MinErrorSamples,
        StaleDataMaxAge = request.StaleDataMaxAge ?? current.StaleDataMaxAge,
    };

    /// <summary>The policy when valid, else null with each problem under its field (named as in <see cref="CheckRiskLimits"/>).</summary>
    public static BreakerPolicy? CheckBreakerPolicy(BreakerPolicy policy, string prefix, ValidationErrors errors)
    {
        var before = errors.IsEmpty;
        string Field(string name) => prefix.Length == 0 ? name : prefix + "." + name;
        void RequireAbove(string name, decimal value, decimal max)
        {
            if (value <= 0m || value > max)
            {
                errors.Add(Field(name), $"Must be above 0 and at most {max}.");
            }
        }

        void RequireWindow(string name, TimeSpan value)
        {
            if (value <= TimeSpan.Zero || value > MaxBreakerWindow)
            {
                errors.Add(Field(name), "Must be positive and at most one day.");
            }
        }

        RequireAbove("dailyLossLimit", policy.DailyLossLimit, Rules.MaxCash);
        RequireAbove("maxDrawdownPercent", policy.MaxDrawdownPercent, 100m);
        RequireAbove("maxBrokerErrorRate", policy.MaxBrokerErrorRate, 1m);
        RequireWindow("errorWindow", policy.ErrorWindow);
        Rules.RequireRange(errors, Field("minErrorSamples"), policy.MinErrorSamples, 1m, 100_000m);
        RequireWindow("staleDataMaxAge", policy.StaleDataMaxAge);

        // The domain's rules as a backstop, under the body: the checks above are at least as strict.
        if (errors.IsEmpty && policy.Validate() is [var error, ..])
        {
            errors.Add(prefix.Length == 0 ? "body" : prefix, error.Message);
        }

        return before && errors.IsEmpty ? policy : null;
    }

    /// <summary>The order a placement or a preview describes, under <paramref name="clientOrderId"/>.</summary>
    public static OrderRequest? ToOrderRequest(OrderRequestFields request, string? clientOrderId, ValidationErrors errors)
    {
        if (!Rules.IsOrderId(clientOrderId))
        {
            errors.Add("clientOrderId", $"Is required: 1 to {Rules.MaxClientOrderIdLength} characters of A-Z, a-z, 0-9, '-', '_', '.' and ':'.");
        }

        Rules.RequireSymbol(errors, "symbol", request.Symbol);
        var side = Rules.ParseEnum<OrderSide>(errors, "side", request.Side, required: true);
        var type = Rules.ParseEnum<OrderType>(errors, "type", request.Type, required: true);
        var tif = Rules.ParseEnum<TimeInForce>(errors, "timeInForce", request.TimeInForce, required: true);
        var orderClass = Rules.ParseEnum<OrderClass>(errors, "orderClass", request.OrderClass, required: false) ?? OrderClass.Simple;
        Rules.RequireQuantity(errors, "quantity", request.Quantity, required: true);
        Rules.RequirePrice(errors, "limitPrice", request.LimitPrice);
        Rules.RequirePrice(errors, "stopPrice", request.StopPrice);
        Rules.RequirePrice(errors, "trailPrice", request.TrailPrice);
        Rules.RequirePercent(errors, "trailPercent", request.TrailPercent, 100m);
        var takeProfit = ToExitLeg(request.TakeProfit, "takeProfit", errors);
        var stopLoss = ToExitLeg(request.StopLoss, "stopLoss", errors);
        if (!errors.IsEmpty)
        {
            return null;
        }

        return new OrderRequest
        {
            ClientOrderId = clientOrderId!,
            Symbol = request.Symbol!,
            Side = side!.Value,
            Type = type!.Value,
            Quantity = request.Quantity!.Value,
            LimitPrice = request.LimitPrice,
            StopPrice = request.StopPrice,
            TrailPrice = request.TrailPrice,
            TrailPercent = request.TrailPercent,
            TimeInForce = tif!.Value,
            OrderClass = orderClass,
            TakeProfit = takeProfit,
            StopLoss = stopLoss,
            ExtendedHours = request.ExtendedHours ?? false,
        };
    }

    public static OrderReplacement? ToReplacement(ReplaceOrderRequest request, ValidationErrors errors)
    {
        Rules.RequireQuantity(errors, "quantity", request.Quantity, required: false);
        Rules.RequirePrice(errors, "limitPrice", request.LimitPrice);
        Rules.RequirePrice(errors, "stopPrice", request.StopPrice);
        Rules.RequirePrice(errors, "trailPrice", request.TrailPrice);
        Rules.RequirePercent(errors, "trailPercent", request.TrailPercent, 100m);
        var tif = Rules.ParseEnum<TimeInForce>(errors, "timeInForce", request.TimeInForce, required: false);
        if (request.ClientOrderId is not null && !Rules.IsOrderId(request.ClientOrderId))
        {
            errors.Add("clientOrderId", $"Must be 1 to {Rules.MaxClientOrderIdLength} characters of A-Z, a-z, 0-9, '-', '_', '.' and ':'.");
        }

        if (request is { Quantity: null, LimitPrice: null, StopPrice: null, TrailPrice: null, TrailPercent: null, TimeInForce: null })
        {
            errors.Add("body", "Change at least one of quantity, limitPrice, stopPrice, trailPrice, trailPercent, timeInForce.");
        }

        return errors.IsEmpty
            ? new OrderReplacement
            {
                Quantity = request.Quantity,
                LimitPrice = request.LimitPrice,
                StopPrice = request.StopPrice,
                TrailPrice = request.TrailPrice,
                TrailPercent = request.TrailPercent,
                TimeInForce = tif,
                ClientOrderId = request.ClientOrderId,
            }
            : null;
    }

    /// <summary>A trip's target state: "halted" (default) or "reducing".</summary>
    public static TradingState? ToTripState(BreakerTripRequest request, ValidationErrors errors)
    {
        Rules.RequireText(errors, "reason", request.Reason, Rules.MaxReasonLength, required: true);
        // Parsed apart: an unknown value names the states a trip takes, not every trading state ("active" is refused below).
        var parsed = new ValidationErrors();
        var state = Rules.ParseEnum<TradingState>(parsed, "state", request.State, required: false) ?? TradingState.Halted;
        if (!parsed.IsEmpty)
        {
            errors.Add("state", "Unknown value; one of reducing, halted.");
        }
        else if (state == TradingState.Active)
        {
            errors.Add("state", "A trip goes to \"reducing\" or \"halted\"; use reset to go back to active.");
        }

        return errors.IsEmpty ? state : null;
    }

    /// <summary>
    /// A reset's target: active by default, or reducing, so a risk officer can take a halted account down to reducing
    /// without passing through active, where orders that open positions would pass.
    /// </summary>
    public static TradingState? ToResetState(BreakerResetRequest request, ValidationErrors errors)
    {
        Rules.RequireText(errors, "reason", request.Reason, Rules.MaxReasonLength, required: true);
        var parsed = new ValidationErrors();
        var state = Rules.ParseEnum<TradingState>(parsed, "state", request.State, required: false) ?? TradingState.Active;
        if (!parsed.IsEmpty)
        {
            errors.Add("state", "Unknown value; one of active, reducing.");
        }
        else if (state == TradingState.Halted)
        {
            errors.Add("state", "A reset goes to \"active\" or \"reducing\"; use trip to go to halted.");
        }

        return errors.IsEmpty ? state : null;
    }

    public static CreateStrategy? ToCreateStrategy(CreateStrategyRequest request, ValidationErrors errors)
    {
        if (request.StrategyId is not null)
        {
            Rules.RequireId(errors, "strategyId", request.StrategyId);
        }

        var barInterval = CheckStrategy(request.Kind, request.Symbols, request.Parameters, request.BarInterval, errors);
        return errors.IsEmpty
            ? new CreateStrategy
            {
                BarInterval = barInterval!.Value,
                Kind = request.Kind!,

                // As given: a repeated symbol is the kind's to refuse (422 with every problem), not dropped here.
                Symbols = [.. request.Symbols!],
                Parameters = request.Parameters ?? new Dictionary<string, string>(),
                Start = request.Start ?? false,
            }
            : null;
    }

    public static RunBacktest? ToRunBacktest(RunBacktestRequest request, ValidationErrors errors)
    {
        var source = request.Source is null ? BacktestSource.Latest : Rules.ParseEnum<BacktestSource>(errors, "source", request.Source, required: false);
        var fromFiles = source == BacktestSource.Files;
        var barInterval = CheckStrategy(request.Kind, request.Symbols, request.Parameters, request.BarInterval, errors, fromFiles);
        var maxBars = fromFiles ? RunBacktest.MaxFileBars : RunBacktest.MaxBars;
        if (request.Bars < 1 || request.Bars > maxBars)
        {
            errors.Add("bars", $"Must be 1 to {maxBars}{(fromFiles ? " from files" : string.Empty)}.");
        }

        if (request.Start is { } start && request.End is { } end && start >= end)
        {
            errors.Add("start", "Must be before end.");
        }

        if (request.InitialCash is { } cash && (cash <= 0m || cash > Rules.MaxCash || cash.Scale > 2))
        {
            errors.Add("initialCash", $"Must be above 0 and at most {Rules.MaxCash}, with at most 2 decimals.");
        }

        if (request.SlippageBps is { } slippage && (slippage < 0m || slippage > RunBacktest.MaxSlippageBps || slippage.Scale > 2))
        {
            errors.Add("slippageBps", $"Must be 0 to {RunBacktest.MaxSlippageBps}, with at most 2 decimals.");
        }

        // An enum like any other: "signal_bar_close" and "SignalBarClose" are "signalBarClose".
        var fill = request.Fill is null ? BacktestFill.NextBarOpen : Rules.ParseEnum<BacktestFill>(errors, "fill", request.Fill, required: false);

        var fees = ToFeeModel(request.FeeModel, errors);
        return errors.IsEmpty && fees is not null
            ? new RunBacktest
            {
                Kind = request.Kind!,
                Symbols = [.. request.Symbols!.Distinct(StringComparer.Ordinal)],
                Parameters = request.Parameters ?? new Dictionary<string, string>(),
                Source = source!.Value,
                BarInterval = barInterval!.Value,
                Bars = request.Bars ?? (request.Start is null ? 1_000 : maxBars),
                Start = request.Start,
                End = request.End,
                InitialCash = request.InitialCash ?? 100_000m,
                FeeModel = fees,
                FillAtSignalClose = fill == BacktestFill.SignalBarClose,
                SlippageBps = request.SlippageBps ?? 0m,
            }
            : null;
    }

    public static RunBacktestSweep? ToRunBacktestSweep(RunBacktestSweepRequest request, ValidationErrors errors)
    {
        var backtest = ToRunBacktest(request, errors);
        if (request.Grid is not { Count: > 0 and <= MaxParameters } grid)
        {
            errors.Add("grid", $"Is required: 1 to {MaxParameters} parameter names, each with the values to try.");
        }
        else
        {
            foreach (var (name, values) in grid)
            {
                if (!IsParameterName(name))
                {
                    errors.Add("grid", ParameterNameRule);
                }
                else if (values is not { Count: > 0 } || !values.All(IsParameterValue))
                {
                    errors.Add($"grid.{name}", "Must be a list of 1 or more strings of at most 256 characters, without control or bidirectional formatting characters.");
                }
                // Names are case-insensitive to the kinds: "Quantity" swept over a fixed "quantity" is the same parameter.
                else if (request.Parameters?.Keys.Contains(name, StringComparer.OrdinalIgnoreCase) == true)
                {
                    errors.Add($"grid.{name}", "Is also a fixed parameter; give it in one place.");
                }
            }

            // Capped at int.MaxValue (product and count both below 2^31, so no overflow): many long lists cannot wrap to a small count.
            var runs = grid.Values.Aggregate(1L, (product, values) => Math.Min(product * Math.Max(1, values?.Count ?? 1), int.MaxValue));
            if (runs > RunBacktestSweep.MaxRuns)
            {
                errors.Add("grid", $"Makes {runs} runs; at most {RunBacktestSweep.MaxRuns}.");
            }
        }

        var rankBy = request.RankBy is null ? BacktestRanking.NetPnl : Rules.ParseEnum<BacktestRanking>(errors, "rankBy", request.RankBy, required: false);

        BacktestWindow? validation = null;
        if (request.Validation is { } window)
        {
            if (window is not { Start: { } start, End: { } end } || start >= end)
            {
                errors.Add("validation", "Needs a start and an end after it.");
            }
            else
            {
                validation = new BacktestWindow(start, end);
            }
        }

        return errors.IsEmpty && backtest is not null
            ? new RunBacktestSweep { Backtest = backtest, Grid = request.Grid!, RankBy = rankBy!.Value, Validation = validation }
            : null;
    }

    /// <summary>
    /// What a strategy and a backtest both name: the kind, its symbols and parameters, the bar interval ("1m" or "1s"; for
    /// a backtest on market-data files "1m" or "1d").
    /// </summary>
    private static TimeSpan? CheckStrategy(
        string? kind, IReadOnlyList<string>? symbols, IReadOnlyDictionary<string, string>? parameters, string? interval, ValidationErrors errors,
        bool fromFiles = false)
    {
        if (kind is not { Length: > 0 and <= 64 } || !kind.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
        {
            errors.Add("kind", "Is required: a strategy kind such as \"sma-crossover\", \"rsi-mean-reversion\" or \"bollinger-breakout\".");
        }

        if (symbols is not { Count: > 0 and <= MaxStrategySymbols })
        {
            errors.Add("symbols", $"Is required: 1 to {MaxStrategySymbols} symbols.");
        }
        else
        {
            for (var i = 0; i < symbols.Count; i++)
            {
                Rules.RequireSymbol(errors, $"symbols[{i}]", symbols[i]);
            }
        }

        CheckParameters(parameters, errors);
        TimeSpan? barInterval = (interval ?? "1m", fromFiles) switch
        {
            ("1m", _) => TimeSpan.FromMinutes(1),
            ("1s", false) => TimeSpan.FromSeconds(1),
            ("1d", true) => TimeSpan.FromDays(1),
            _ => null,
        };
        if (barInterval is null)
        {
            errors.Add("barInterval", fromFiles ? "Must be \"1m\" or \"1d\" from files." : "Must be \"1m\" or \"1s\".");
        }

        return barInterval;
    }

    public static void CheckParameters(IReadOnlyDictionary<string, string>? parameters, ValidationErrors errors)
    {
        if (parameters is null)
        {
            return;
        }

        if (parameters.Count > MaxParameters)
        {
            errors.Add("parameters", $"At most {MaxParameters} parameters.");
            return;
        }

        foreach (var (name, value) in parameters)
        {
            if (!IsParameterName(name))
            {
                errors.Add("parameters", ParameterNameRule);
            }
            else if (!IsParameterValue(value))
            {
                errors.Add($"parameters.{name}", "Must be a string of at most 256 characters, without control or bidirectional formatting characters.");
            }
        }
    }

    /// <summary>A webhook's event kinds by name, any case (all of them when none are given).</summary>
    public static IReadOnlyList<AccountEventKind> ToWebhookKinds(CreateWebhookRequest request, ValidationErrors errors)
    {
        var kinds = new List<AccountEventKind>();
        foreach (var name in request.Kinds ?? [])
        {
            if (Rules.ParseEnum<AccountEventKind>(errors, "kinds", name, required: true) is { } kind)
            {
                kinds.Add(kind);
            }
        }

        return kinds;
    }

    /// <summary>The orders list's <c>status</c> query parameter, any case: all orders when left out.</summary>
    public static OrderStatusFilter ToOrderStatusFilter(string? status, ValidationErrors errors) =>
        Rules.ParseEnum<OrderStatusFilter>(errors, "status", status, required: false) ?? OrderStatusFilter.All;

    public static (string Name, IReadOnlyList<string> Roles, IReadOnlyList<string> Accounts)? ToKey(IssueApiKeyRequest request, ValidationErrors errors)
    {
        Rules.RequireText(errors, "name", request.Name, Rules.MaxNameLength, required: true);
        if (request.Roles is not { Count: > 0 and <= 3 } roles || roles.Any(r => !ApiKeyRoles.IsKnown(r)) || roles.Distinct().Count() != roles.Count)
        {
            errors.Add("roles", "Is required: distinct roles among \"trader\", \"risk\" and \"admin\".");
        }

        var accounts = request.Accounts ?? [];
        if (accounts.Count > MaxKeyAccounts)
        {
            errors.Add("accounts", $"At most {MaxKeyAccounts} account ids (or \"*\" for every account).");
        }
        else if (accounts.Any(a => a != GatewayClaims.AllAccounts && !Rules.IsId(a)))
        {
            // Apart from the count: an id of the wrong form was told "at most 100", which is not what it broke.
            errors.Add("accounts", $"Each must be an account id, {IdRules.Description}, or \"*\" for every account.");
        }
        else if (accounts.Count == 0 && request.Roles is { } r && !r.Contains(ApiKeyRoles.Admin))
        {
            errors.Add("accounts", "A trader or risk key needs at least one account (or \"*\").");
        }

        return errors.IsEmpty ? (request.Name!, [.. request.Roles!], [.. accounts.Distinct(StringComparer.Ordinal)]) : null;
    }

    private static ExitLeg? ToExitLeg(ExitLegRequest? leg, string field, ValidationErrors errors)
    {
        if (leg is null)
        {
            return null;
        }

        Rules.RequirePrice(errors, field + ".limitPrice", leg.LimitPrice);
        Rules.RequirePrice(errors, field + ".stopPrice", leg.StopPrice);

        // The shape of each leg (docs/api.md: takeProfit {limitPrice}, stopLoss {stopPrice, limitPrice?}) is a field
        // rule: a leg of the wrong shape is a 400 naming the field, not a risk refusal.
        var takeProfit = field == "takeProfit";
        if (takeProfit && leg.LimitPrice is null)
        {
            errors.Add(field + ".limitPrice", "Is required: a take-profit is a limit order.");
        }
        else if (takeProfit && leg.StopPrice is not null)
        {
            errors.Add(field + ".stopPrice", "A take-profit has no stop price.");
        }
        else if (!takeProfit && leg.StopPrice is null)
        {
            errors.Add(field + ".stopPrice", "Is required: a stop-loss is a stop (or stop-limit) order.");
        }

        return new ExitLeg(leg.LimitPrice, leg.StopPrice);
    }

    private static FeeModelSpec? ToFeeModel(FeeModelRequest? request, ValidationErrors errors)
    {
        if (request is null)
        {
            return FeeModelSpec.Default;
        }

        var kind = Rules.ParseEnum<FeeModelKind>(errors, "feeModel.kind", request.Kind, required: true);
        var defaults = FeeModelSpec.Default;
        var spec = defaults with
        {
            Kind = kind ?? defaults.Kind,
            PerShareRate = request.PerShareRate ?? defaults.PerShareRate,
            MinimumPerOrder = request.MinimumPerOrder ?? defaults.MinimumPerOrder,
            MaxPercentOfNotional = request.MaxPercentOfNotional ?? defaults.MaxPercentOfNotional,
            BasisPoints = request.BasisPoints ?? defaults.BasisPoints,
            IncludeRegulatoryFees = request.IncludeRegulatoryFees ?? defaults.IncludeRegulatoryFees,
        };
        string[] fields = ["feeModel.kind", "feeModel.perShareRate", "feeModel.minimumPerOrder", "feeModel.maxPercentOfNotional", "feeModel.basisPoints"];
        Rules.RequireRange(errors, "feeModel.perShareRate", spec.PerShareRate, 0m, 1m);
        Rules.RequireRange(errors, "feeModel.minimumPerOrder", spec.MinimumPerOrder, 0m, 1_000m);
        if (spec.MaxPercentOfNotional is <= 0m or > 100m)
        {
            errors.Add("feeModel.maxPercentOfNotional", "Must be more than 0 and at most 100.");
        }

        Rules.RequireRange(errors, "feeModel.basisPoints", spec.BasisPoints, 0m, 10_000m);

        // The domain's own check stays behind the field rules; its words name .NET properties, so it speaks only for what
        // the field rules above do not cover.
        if (!fields.Any(errors.Has))
        {
            foreach (var error in spec.Validate())
            {
                errors.Add("feeModel", error.Message);
            }
        }

        return errors.IsEmpty ? spec : null;
    }

    private static bool IsParameterName(string? name) =>
        name is { Length: > 0 and <= 64 } && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    // Text people read back (a strategy's status): refused as the API's other free text is, bidirectional overrides too.
    private static bool IsParameterValue(string? value) => value is { Length: <= 256 } && !value.Any(Domain.FreeText.IsRefused);
}

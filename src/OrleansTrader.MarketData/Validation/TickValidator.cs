using System.Diagnostics.CodeAnalysis;
using OrleansTrader.Domain.Market;
using OrleansTrader.MarketData.Events;

namespace OrleansTrader.MarketData.Validation;

/// <summary>
/// Decides, tick by tick, whether market data is usable, and counts every rejection by reason. It does no I/O
/// and reads no clock. One instance belongs to one consumer (a feed loop or a SymbolGrain); it is not meant for
/// concurrent validation calls, while <see cref="GetCounters"/> may be called from any thread.
/// </summary>
public sealed class TickValidator
{
    private readonly TickValidatorOptions _options;
    private readonly Dictionary<string, SymbolValidationState> _symbols = new(StringComparer.Ordinal);
    private readonly long[] _rejected = new long[Enum.GetValues<RejectionReason>().Length];
    private long _accepted;
    private long _reanchors;
    private string? _lastSymbol;
    private SymbolValidationState? _lastState;

    public TickValidator(TickValidatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var failures = TickValidatorOptionsValidator.Collect(options);
        if (failures.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", failures), nameof(options));
        }

        _options = options;
    }

    public TickValidator()
        : this(new TickValidatorOptions())
    {
    }

    /// <summary>Validates any event; status, correction and cancel events are passed through as accepted, uncounted.</summary>
    public ValidationResult Validate(MarketDataEvent marketEvent)
    {
        ArgumentNullException.ThrowIfNull(marketEvent);
        return marketEvent switch
        {
            TradeEvent trade => ValidateTrade(trade.Trade, trade.SourceId),
            QuoteEvent quote => ValidateQuote(quote.Quote, quote.SourceId),
            BarEvent bar => ValidateBar(bar.Bar),
            _ => ValidationResult.Accepted,
        };
    }

    public ValidationResult ValidateTrade(TradeTick trade, long? sourceId = null)
    {
        ArgumentNullException.ThrowIfNull(trade);
        if (trade.Price <= 0m)
        {
            return Reject(RejectionReason.NonPositivePrice, $"price {trade.Price}");
        }

        if (trade.Size <= 0m)
        {
            return Reject(RejectionReason.NonPositiveSize, $"size {trade.Size}");
        }

        // Before the band: during its warm-up any price is taken, and an absurd one would become the mark.
        if (trade.Price > _options.MaxPrice)
        {
            return Reject(RejectionReason.PriceAboveMaximum, $"price {trade.Price} above {_options.MaxPrice}");
        }

        if (trade.Size > _options.MaxSize)
        {
            return Reject(RejectionReason.SizeAboveMaximum, $"size {trade.Size} above {_options.MaxSize}");
        }

        if (trade.Suspicious && _options.RejectSuspiciousPrints)
        {
            return Reject(RejectionReason.SuspiciousPrint, "flagged by the source");
        }

        if (!TryGetState(trade.Symbol, out var state))
        {
            return Reject(RejectionReason.TooManySymbols, $"more than {_options.MaxSymbols} symbols");
        }

        var key = (sourceId ?? trade.SourceId) is { } id
            ? new DuplicateKey(TickKind.Trade, trade.Timestamp.UtcTicks, id, 0m, 0m, 0m, 0m, trade.Exchange)
            : new DuplicateKey(TickKind.Trade, trade.Timestamp.UtcTicks, null, trade.Price, trade.Size, 0m, 0m, trade.Exchange);
        return CheckDuplicateAndBand(state, state.TradeBand, key, trade.Price);
    }

    public ValidationResult ValidateQuote(QuoteTick quote, long? sourceId = null)
    {
        ArgumentNullException.ThrowIfNull(quote);
        if (quote.BidPrice < 0m || quote.AskPrice < 0m || (quote.BidPrice == 0m && quote.AskPrice == 0m))
        {
            return Reject(RejectionReason.NonPositivePrice, $"bid {quote.BidPrice} ask {quote.AskPrice}");
        }

        if (quote.BidSize < 0m || quote.AskSize < 0m ||
            (quote.BidPrice > 0m && quote.BidSize == 0m) || (quote.AskPrice > 0m && quote.AskSize == 0m))
        {
            return Reject(RejectionReason.NonPositiveSize, $"bid size {quote.BidSize} ask size {quote.AskSize}");
        }

        if ((quote.BidPrice == 0m && quote.BidSize > 0m) || (quote.AskPrice == 0m && quote.AskSize > 0m))
        {
            return Reject(RejectionReason.NonPositivePrice, "size without a price");
        }

        if (quote.BidPrice > _options.MaxPrice || quote.AskPrice > _options.MaxPrice)
        {
            return Reject(RejectionReason.PriceAboveMaximum, $"bid {quote.BidPrice} ask {quote.AskPrice} above {_options.MaxPrice}");
        }

        if (quote.BidSize > _options.MaxSize || quote.AskSize > _options.MaxSize)
        {
            return Reject(RejectionReason.SizeAboveMaximum, $"bid size {quote.BidSize} ask size {quote.AskSize} above {_options.MaxSize}");
        }

        if (quote.Suspicious && _options.RejectSuspiciousPrints)
        {
            return Reject(RejectionReason.SuspiciousPrint, "flagged by the source");
        }

        var twoSided = quote.IsTwoSided;
        if (!twoSided && _options.RejectOneSidedQuotes)
        {
            return Reject(RejectionReason.OneSidedQuote, quote.BidPrice == 0m ? "no bid" : "no ask");
        }

        if (quote.IsCrossed)
        {
            return Reject(RejectionReason.CrossedQuote, $"bid {quote.BidPrice} > ask {quote.AskPrice}");
        }

        if (!TryGetState(quote.Symbol, out var state))
        {
            return Reject(RejectionReason.TooManySymbols, $"more than {_options.MaxSymbols} symbols");
        }

        var key = new DuplicateKey(
            TickKind.Quote, quote.Timestamp.UtcTicks, sourceId ?? quote.SourceId, quote.BidPrice, quote.BidSize, quote.AskPrice, quote.AskSize, quote.Exchange);

        // A one-sided quote accepted by configuration has no mid to compare; it neither moves nor meets the band.
        return twoSided
            ? CheckDuplicateAndBand(state, state.QuoteBand, key, quote.Mid!.Value)
            : CheckDuplicateAndBand(state, band: null, key, 0m);
    }

    public ValidationResult ValidateBar(Bar bar)
    {
        ArgumentNullException.ThrowIfNull(bar);
        if (bar.Open <= 0m || bar.High <= 0m || bar.Low <= 0m || bar.Close <= 0m)
        {
            return Reject(RejectionReason.NonPositivePrice, $"o {bar.Open} h {bar.High} l {bar.Low} c {bar.Close}");
        }

        if (bar.Volume < 0m || bar.TradeCount < 0)
        {
            return Reject(RejectionReason.NonPositiveSize, $"volume {bar.Volume} trades {bar.TradeCount}");
        }

        // A bar's volume sums many trades (a day's can pass MaxSize), so only its prices are capped.
        if (bar.Open > _options.MaxPrice || bar.High > _options.MaxPrice || bar.Low > _options.MaxPrice || bar.Close > _options.MaxPrice)
        {
            return Reject(RejectionReason.PriceAboveMaximum, $"o {bar.Open} h {bar.High} l {bar.Low} c {bar.Close} above {_options.MaxPrice}");
        }

        if (bar.Interval <= TimeSpan.Zero || bar.High < Math.Max(Math.Max(bar.Open, bar.Close), bar.Low) ||
            bar.Low > Math.Min(bar.Open, bar.Close))
        {
            return Reject(RejectionReason.InvalidBar, $"o {bar.Open} h {bar.High} l {bar.Low} c {bar.Close} interval {bar.Interval}");
        }

        if (!TryGetState(bar.Symbol, out var state))
        {
            return Reject(RejectionReason.TooManySymbols, $"more than {_options.MaxSymbols} symbols");
        }

        var key = new DuplicateKey(TickKind.Bar, bar.Start.UtcTicks, bar.Interval.Ticks, 0m, 0m, 0m, 0m, null);
        return CheckDuplicateAndBand(state, state.BarBand, key, bar.Close);
    }

    public ValidationCounters GetCounters()
    {
        var map = new Dictionary<RejectionReason, long>();
        for (var i = 1; i < _rejected.Length; i++)
        {
            var value = Interlocked.Read(ref _rejected[i]);
            if (value != 0)
            {
                map[(RejectionReason)i] = value;
            }
        }

        return new ValidationCounters(Interlocked.Read(ref _accepted), map, Interlocked.Read(ref _reanchors));
    }

    private ValidationResult CheckDuplicateAndBand(SymbolValidationState state, PriceBand? band, in DuplicateKey key, decimal price)
    {
        // A key is remembered whether the band takes its tick or not: a copy of a rejected print (a feed that resends) is
        // the same print, a duplicate, not one more out-of-band price towards a re-anchor on it.
        if (!state.Recent.TryAdd(key))
        {
            return Reject(RejectionReason.Duplicate, "seen within the recent window");
        }

        if (band is not null && band.IsOutside(price, _options))
        {
            var reference = band.Reference;
            if (!band.RejectOrReanchor(price, _options))
            {
                return Reject(RejectionReason.OutsidePriceBand, $"{price} vs last accepted {reference} (band {_options.PriceBandPercent}%)");
            }

            Interlocked.Increment(ref _reanchors);
        }

        band?.Accept(price);

        // One validating thread (see the class remarks) and readers through Interlocked.Read: no locked increment needed.
        Volatile.Write(ref _accepted, _accepted + 1);
        return ValidationResult.Accepted;
    }

    private bool TryGetState(string symbol, [NotNullWhen(true)] out SymbolValidationState? state)
    {
        // A feed loop or a SymbolGrain sees long runs of one symbol: remember the last one instead of hashing every tick.
        if (_lastState is not null && string.Equals(symbol, _lastSymbol, StringComparison.Ordinal))
        {
            state = _lastState;
            return true;
        }

        if (_symbols.TryGetValue(symbol, out var existing))
        {
            state = existing;
            (_lastSymbol, _lastState) = (symbol, existing);
            return true;
        }

        if (_symbols.Count >= _options.MaxSymbols)
        {
            state = null;
            return false;
        }

        state = new SymbolValidationState(_options.DuplicateWindowSize);
        _symbols[symbol] = state;
        (_lastSymbol, _lastState) = (symbol, state);
        return true;
    }

    private ValidationResult Reject(RejectionReason reason, string detail)
    {
        Interlocked.Increment(ref _rejected[(int)reason]);
        return new ValidationResult(reason, detail);
    }
}

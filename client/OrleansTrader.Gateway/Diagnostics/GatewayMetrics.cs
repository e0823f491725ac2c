using System.Collections.Frozen;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>The gateway's own instruments (meter "OrleansTrader.Gateway"): HTTP traffic, order outcomes and denials, SSE.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "OrleansTrader.Gateway";

    /// <summary>The method label of a request whose method is none of <see cref="StandardMethods"/>.</summary>
    public const string OtherMethod = "other";

    // Any token is a method to Kestrel, and the client chooses it before any key is checked: labelled as sent, made-up
    // methods would each add a series until the instrument's limit, and the real routes' series would be dropped.
    private static readonly FrozenSet<string> StandardMethods = FrozenSet.Create(
        StringComparer.Ordinal, "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT");

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _orders;
    private readonly Counter<long> _denials;
    private readonly Histogram<double> _orderLatency;
    private readonly Counter<long> _rateLimited;
    private readonly Counter<long> _shed;
    private readonly Meter _meter;
    private long _openEventStreams;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = _meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("orleanstrader.gateway.http.requests", "{request}", "HTTP requests by route, method and status.");
        _duration = meter.CreateHistogram<double>("orleanstrader.gateway.http.duration", "s", "HTTP request duration by route and method.");
        _orders = meter.CreateCounter<long>("orleanstrader.gateway.orders", "{order}", "Order placements by outcome (accepted, existing, denied, invalid).");
        _denials = meter.CreateCounter<long>("orleanstrader.gateway.order.denials", "{order}", "Denied order placements by reason code.");
        _orderLatency = meter.CreateHistogram<double>("orleanstrader.gateway.order.latency", "s", "Time from the order request to the account's answer.");

        // Observed rather than counted up and down, so the gauge reads 0 from the start (after a restart too) instead of
        // appearing only once the first stream opens.
        meter.CreateObservableUpDownCounter(
            "orleanstrader.gateway.sse.connections", () => Interlocked.Read(ref _openEventStreams), "{connection}", "Open Server-Sent Events connections.");
        _rateLimited = meter.CreateCounter<long>("orleanstrader.gateway.rate_limited", "{request}", "Requests refused by a rate limit.");
        _shed = meter.CreateCounter<long>("orleanstrader.gateway.requests.shed", "{request}", "Requests refused with 503 because the gateway was serving as many as it may.");
    }

    public void Request(string route, string method, int status, TimeSpan elapsed)
    {
        method = StandardMethods.Contains(method) ? method : OtherMethod;
        _requests.Add(1, new TagList { { "route", route }, { "method", method }, { "status", status } });
        _duration.Record(elapsed.TotalSeconds, new TagList { { "route", route }, { "method", method } });
    }

    /// <summary>An order placement the account answered (accepted, existing or denied), with the time its answer took.</summary>
    public void Order(string outcome, TimeSpan latency)
    {
        var tag = new KeyValuePair<string, object?>("outcome", outcome);
        _orders.Add(1, tag);
        _orderLatency.Record(latency.TotalSeconds, tag);
    }

    /// <summary>
    /// A placement refused before it reached the account: counted with the others, but kept out of the latency, whose
    /// near-zero times would pull its quantiles down.
    /// </summary>
    public void InvalidOrder() => _orders.Add(1, new KeyValuePair<string, object?>("outcome", "invalid"));

    public void Denial(string reason) => _denials.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void EventStreamOpened() => Interlocked.Increment(ref _openEventStreams);

    public void EventStreamClosed() => Interlocked.Decrement(ref _openEventStreams);

    /// <summary>
    /// The load shedding's gauges: requests holding one of its places, and requests waiting for one. Observed, so they read
    /// 0 from the start like the event streams' gauge.
    /// </summary>
    public void ObserveRequestSlots(Func<long> inFlight, Func<long> queued)
    {
        _meter.CreateObservableUpDownCounter(
            "orleanstrader.gateway.requests.in_flight", inFlight, "{request}", "API requests holding one of the load shedding's places.");
        _meter.CreateObservableUpDownCounter(
            "orleanstrader.gateway.requests.queued", queued, "{request}", "API requests waiting for one of the load shedding's places.");
    }

    /// <summary>A request refused by the load shedding: <c>queue_full</c> or <c>queue_timeout</c>, or the same for a key lookup's place
    /// (<c>key_lookup_queue_full</c>, <c>key_lookup_queue_timeout</c>).</summary>
    public void Shed(string reason) => _shed.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));
}

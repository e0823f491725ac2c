using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace OrleansTrader.Gateway.Diagnostics;

/// <summary>The gateway's own instruments (meter "OrleansTrader.Gateway"): HTTP traffic, order outcomes and denials, SSE.</summary>
internal sealed class GatewayMetrics
{
    public const string MeterName = "OrleansTrader.Gateway";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _orders;
    private readonly Counter<long> _denials;
    private readonly Histogram<double> _orderLatency;
    private readonly UpDownCounter<long> _eventStreams;
    private readonly Counter<long> _rateLimited;

    public GatewayMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _requests = meter.CreateCounter<long>("orleanstrader.gateway.http.requests", "{request}", "HTTP requests by route, method and status.");
        _duration = meter.CreateHistogram<double>("orleanstrader.gateway.http.duration", "s", "HTTP request duration by route and method.");
        _orders = meter.CreateCounter<long>("orleanstrader.gateway.orders", "{order}", "Order placements by outcome (accepted, existing, denied, invalid).");
        _denials = meter.CreateCounter<long>("orleanstrader.gateway.order.denials", "{order}", "Denied order placements by reason code.");
        _orderLatency = meter.CreateHistogram<double>("orleanstrader.gateway.order.latency", "s", "Time from the order request to the account's answer.");
        _eventStreams = meter.CreateUpDownCounter<long>("orleanstrader.gateway.sse.connections", "{connection}", "Open Server-Sent Events connections.");
        _rateLimited = meter.CreateCounter<long>("orleanstrader.gateway.rate_limited", "{request}", "Requests refused by a rate limit.");
    }

    public void Request(string route, string method, int status, TimeSpan elapsed)
    {
        _requests.Add(1, new TagList { { "route", route }, { "method", method }, { "status", status } });
        _duration.Record(elapsed.TotalSeconds, new TagList { { "route", route }, { "method", method } });
    }

    public void Order(string outcome, TimeSpan latency)
    {
        _orders.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
        _orderLatency.Record(latency.TotalSeconds);
    }

    public void Denial(string reason) => _denials.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void EventStreamOpened() => _eventStreams.Add(1);

    public void EventStreamClosed() => _eventStreams.Add(-1);

    public void RateLimited(string policy) => _rateLimited.Add(1, new KeyValuePair<string, object?>("policy", policy));
}

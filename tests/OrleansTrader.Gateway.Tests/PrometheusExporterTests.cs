using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using OrleansTrader.Gateway.Diagnostics;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The exporter's output against the text exposition format, over meters of a factory of its own.</summary>
public sealed class PrometheusExporterTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMetrics().BuildServiceProvider();
    private readonly PrometheusExporter _exporter;
    private readonly Meter _meter;

    public PrometheusExporterTests()
    {
        var factory = _services.GetRequiredService<IMeterFactory>();
        _exporter = new PrometheusExporter(Options.Create(new GatewayOptions()), factory);
        _meter = factory.Create("OrleansTrader.ExporterTests");
    }

    public void Dispose()
    {
        _exporter.Dispose();
        _services.Dispose();
    }

    [Fact]
    public void Scrape_WritesEachSampleNameInOneFamilyOnly_WhenInstrumentNamesClash()
    {
        _meter.CreateCounter<long>("clash").Add(1);
        _meter.CreateGauge<long>("clash.total").Record(5);
        _meter.CreateHistogram<double>("latency").Record(0.2);
        _meter.CreateGauge<long>("latency.count").Record(7);

        var text = _exporter.Scrape();

        Assert.Single(Lines(text), l => l.StartsWith("# TYPE clash_total ", StringComparison.Ordinal));
        Assert.Single(Lines(text), l => l.StartsWith("clash_total ", StringComparison.Ordinal));
        Assert.DoesNotContain("# TYPE latency_count", text, StringComparison.Ordinal);
        Assert.Single(Lines(text), l => l.StartsWith("latency_count ", StringComparison.Ordinal));
    }

    [Fact]
    public void Scrape_NamesInstrumentsByTheirBaseUnit_SecondsAndBytes()
    {
        _meter.CreateHistogram<double>("request.duration", "s").Record(0.2);
        _meter.CreateHistogram<double>("wait_seconds", "s").Record(0.2);
        _meter.CreateHistogram<long>("payload.size", "By").Record(512);
        _meter.CreateCounter<double>("busy", "s").Add(1.5);
        _meter.CreateCounter<long>("things", "{thing}").Add(1);

        var text = _exporter.Scrape();

        Assert.Contains("# TYPE request_duration_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("request_duration_seconds_count 1\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE wait_seconds histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE payload_size_bytes histogram\n", text, StringComparison.Ordinal);
        Assert.Contains("busy_seconds_total 1.5\n", text, StringComparison.Ordinal);
        Assert.Contains("things_total 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_EscapesBackslashesAndLineFeedsInHelp()
    {
        _meter.CreateCounter<long>("escaped", description: "A path like C:\\data\nand a second line.").Add(1);

        var text = _exporter.Scrape();

        Assert.Contains("# HELP escaped_total A path like C:\\\\data\\nand a second line.\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Labels_AreValidLabelNames_WithoutColons()
    {
        KeyValuePair<string, object?>[] tags = [new("http:route", "/a"), new("1st", "x\"y\\z\n")];

        Assert.Equal("_1st=\"x\\\"y\\\\z\\n\",http_route=\"/a\"", PrometheusExporter.Labels(tags));
    }

    [Fact]
    public void Scrape_WritesEachLabelNameOncePerSeries_WhenTagsRepeatOrSanitizeAlike()
    {
        // The text format refuses a label name twice in one series: one such series would make the whole scrape fail.
        _meter.CreateCounter<long>("tagged").Add(1, new KeyValuePair<string, object?>("a.b", "first"), new KeyValuePair<string, object?>("a_b", "second"));
        _meter.CreateCounter<long>("tagged.twice").Add(1, new KeyValuePair<string, object?>("kind", "first"), new KeyValuePair<string, object?>("kind", "second"));

        var text = _exporter.Scrape();

        Assert.Contains("tagged_total{a_b=\"first\"} 1\n", text, StringComparison.Ordinal);
        Assert.Contains("tagged_twice_total{kind=\"first\"} 1\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void Scrape_ForgetsAnObservedSeries_ItsCallbackNoLongerReports()
    {
        var queues = new List<string> { "a.db", "b.db" };
        _meter.CreateObservableGauge("queue", () => queues.Select(f => new Measurement<long>(3, new KeyValuePair<string, object?>("file", f))));

        var first = _exporter.Scrape();
        queues.Remove("a.db");
        var second = _exporter.Scrape();

        Assert.Contains("queue{file=\"a.db\"} 3\n", first, StringComparison.Ordinal);
        Assert.DoesNotContain("file=\"a.db\"", second, StringComparison.Ordinal);
        Assert.Contains("queue{file=\"b.db\"} 3\n", second, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Requests_EndingInAnException_AreCountedByTheirRouteTemplate()
    {
        await using var host = await GatewayHost.StartAsync();

        // A query value that does not bind throws, and the exception handler answers 400 after clearing the endpoint.
        using (var failed = await host.SendAsync(HttpMethod.Get, "/api/keys?limit=abc", host.AdminKey))
        {
            Assert.Equal(HttpStatusCode.BadRequest, failed.StatusCode);
        }

        using var response = await host.SendAsync(HttpMethod.Get, "/metrics", null);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Contains("orleanstrader_gateway_http_requests_total{method=\"GET\",route=\"/api/keys\",status=\"400\"} 1\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("route=\"unmatched\"", text, StringComparison.Ordinal);
    }

    private static string[] Lines(string text) => text.Split('\n');
}

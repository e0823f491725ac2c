using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using OrleansTrader.Silo.Logging;

namespace OrleansTrader.Silo.Tests;

public sealed class SecretRedactionTests
{
    private sealed class CapturingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    private sealed record BrokerSettings(string Endpoint, string ApiKey, string ApiSecret, string ConnectionString);

    private static (Logger Logger, CapturingSink Sink) CreateLogger()
    {
        var sink = new CapturingSink();
        var configuration = new ConfigurationBuilder().Build();
        var logger = SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration().WriteTo.Sink(sink));
        return (logger, sink);
    }

    private static string Render(LogEvent logEvent)
    {
        using var writer = new StringWriter();
        logEvent.RenderMessage(writer, System.Globalization.CultureInfo.InvariantCulture);
        foreach (var property in logEvent.Properties)
        {
            writer.Write($" {property.Key}={property.Value}");
        }

        return writer.ToString();
    }

    [Theory]
    [InlineData("ApiKey")]
    [InlineData("SecretKey")]
    [InlineData("ClientSecret")]
    [InlineData("DbPassword")]
    [InlineData("AccessToken")]
    public void Enricher_MasksValue_WhenPropertyIsNamedLikeASecret(string propertyName)
    {
        var (logger, sink) = CreateLogger();

        logger.Information("value {" + propertyName + "}", "hunter2-very-secret");
        logger.Dispose();

        var logEvent = Assert.Single(sink.Events);
        Assert.Equal($"\"{SecretRedactionEnricher.Mask}\"", logEvent.Properties[propertyName].ToString());
        Assert.DoesNotContain("hunter2", Render(logEvent), StringComparison.Ordinal);
    }

    [Fact]
    public void Enricher_MasksNestedSecrets_WhenObjectIsDestructured()
    {
        var (logger, sink) = CreateLogger();
        var settings = new BrokerSettings(
            "https://broker.invalid", "AKEXAMPLE123", "s3cr3t-value", "Host=db;Username=app;Password=pa55word;Database=x");

        logger.Information("Broker settings {@Settings}", settings);
        logger.Dispose();

        var rendered = Render(Assert.Single(sink.Events));
        Assert.DoesNotContain("AKEXAMPLE123", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("s3cr3t-value", rendered, StringComparison.Ordinal);
        Assert.DoesNotContain("pa55word", rendered, StringComparison.Ordinal);
        Assert.Contains("https://broker.invalid", rendered, StringComparison.Ordinal);
        Assert.Contains("Username=app", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Enricher_MasksConnectionStringPassword_WhenPropertyNameIsInnocent()
    {
        var (logger, sink) = CreateLogger();

        logger.Information("Connecting to {Target}", "Host=localhost;Port=5432;Pwd=topsecret;Database=trader");
        logger.Dispose();

        var rendered = Render(Assert.Single(sink.Events));
        Assert.DoesNotContain("topsecret", rendered, StringComparison.Ordinal);
        Assert.Contains("Pwd=***", rendered, StringComparison.Ordinal);
        Assert.Contains("Database=trader", rendered, StringComparison.Ordinal);
    }

    [Fact]
    public void Enricher_LeavesOrdinaryPropertiesAlone()
    {
        var (logger, sink) = CreateLogger();

        logger.Information("Order {OrderId} for {Symbol}", "ord-1", "SPY");
        logger.Dispose();

        var logEvent = Assert.Single(sink.Events);
        Assert.Equal("\"ord-1\"", logEvent.Properties["OrderId"].ToString());
        Assert.Equal("\"SPY\"", logEvent.Properties["Symbol"].ToString());
    }

    /// <summary>"Invalid settings stop startup with a message naming the key" (README), also for Serilog's levels.</summary>
    [Theory]
    [InlineData("Serilog:MinimumLevel", "Loud")]
    [InlineData("Serilog:MinimumLevel:Default", "Loud")]
    [InlineData("Serilog:MinimumLevel:Override:Microsoft", "Quiet")]
    public void CreateLogger_Throws_NamingTheKey_WhenALevelIsUnknown(string key, string value)
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [key] = value })
            .Build();

        var error = Assert.ThrowsAny<Exception>(
            () => SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration()));
        Assert.Contains($"'{key}'", error.Message, StringComparison.Ordinal);
        Assert.Contains($"'{value}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void CreateLogger_Throws_WhenFormatIsUnknown()
    {
        var configuration = new ConfigurationBuilder()
            .AddInMemoryCollection(new Dictionary<string, string?> { [SiloLoggingExtensions.FormatKey] = "xml" })
            .Build();

        var error = Assert.Throws<InvalidOperationException>(
            () => SiloLoggingExtensions.CreateLogger(configuration, new LoggerConfiguration()));
        Assert.Contains("'text' or 'json'", error.Message, StringComparison.Ordinal);
    }
}

using Microsoft.Extensions.Configuration;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using OrleansTrader.Silo.Logging;

namespace OrleansTrader.Silo.Tests;

/// <summary>A quoted connection-string password (the deployment template quotes it) is masked whole.</summary>
public sealed class ConnectionStringRedactionTests
{
    private sealed class CapturingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    [Theory]
    [InlineData("Host=db;Username=app;Password='Pa;ss=w0rd-tail';Database=trader", "w0rd-tail")]
    [InlineData("Host=db;Username=app;Password=\"Pa;ss=w0rd-tail\";Database=trader", "w0rd-tail")]
    [InlineData("Host=db;Username=app;Password='it''s;w0rd-tail';Database=trader", "w0rd-tail")]
    [InlineData("Host=db.example;Database=trader;Username=otadmin;Password='Te;st''Passw0rd';SSL Mode=Require", "Passw0rd")] // as infra/ builds it
    public void Enricher_MasksTheWholeQuotedPassword_OfAConnectionString(string connectionString, string secretTail)
    {
        var sink = new CapturingSink();
        var logger = SiloLoggingExtensions.CreateLogger(new ConfigurationBuilder().Build(), new LoggerConfiguration().WriteTo.Sink(sink));

        logger.Information("Connecting to {Target}", connectionString);
        logger.Dispose();

        var rendered = Assert.Single(sink.Events).Properties["Target"].ToString();
        Assert.DoesNotContain(secretTail, rendered, StringComparison.Ordinal);
        Assert.Contains("Database=trader", rendered, StringComparison.Ordinal);
    }
}

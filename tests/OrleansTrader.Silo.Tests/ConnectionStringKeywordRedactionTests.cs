using Microsoft.Extensions.Configuration;
using Npgsql;
using Serilog;
using Serilog.Core;
using Serilog.Events;
using OrleansTrader.Silo.Logging;

namespace OrleansTrader.Silo.Tests;

/// <summary>
/// Npgsql takes a password under other keywords than "Password" (its synonyms, and the client certificate key's password):
/// a connection string written with any of them is masked in a log line as one written with "Password" is.
/// </summary>
public sealed class ConnectionStringKeywordRedactionTests
{
    private const string Secret = "s3cret-keyword-tail";

    private sealed class CapturingSink : ILogEventSink
    {
        public List<LogEvent> Events { get; } = [];

        public void Emit(LogEvent logEvent) => Events.Add(logEvent);
    }

    [Theory]
    [InlineData("Host=db;Username=app;Psw=" + Secret + ";Database=trader")]
    [InlineData("Host=db;Username=app;PSW = " + Secret + ";Database=trader")]
    [InlineData("Host=db;Username=app;Pwd=" + Secret + ";Database=trader")]
    [InlineData("Host=db;Username=app;SslPassword=" + Secret + ";Database=trader")]
    [InlineData("Host=db;Username=app;SSL Password='" + Secret + "';Database=trader")]
    public void Enricher_MasksAPasswordNpgsqlReads_WhateverKeywordNamesIt(string connectionString)
    {
        // The keyword is one Npgsql reads a password from: a string an operator may really set.
        var parsed = new NpgsqlConnectionStringBuilder(connectionString);
        Assert.Contains(Secret, new[] { parsed.Password, parsed.SslPassword });

        var sink = new CapturingSink();
        var logger = SiloLoggingExtensions.CreateLogger(new ConfigurationBuilder().Build(), new LoggerConfiguration().WriteTo.Sink(sink));

        logger.Information("Connecting to {Target}", connectionString);
        logger.Dispose();

        var rendered = Assert.Single(sink.Events).Properties["Target"].ToString();
        Assert.True(!rendered.Contains(Secret, StringComparison.Ordinal), $"logged as {rendered}");
        Assert.Contains("Database=trader", rendered, StringComparison.Ordinal);
    }
}

using OrleansTrader.Gateway;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Silo;
using OrleansTrader.Silo.Health;
using OrleansTrader.Silo.Logging;

var builder = WebApplication.CreateBuilder(args);

builder.AddSiloLogging();
builder.AddSiloDefaults();
builder.AddSiloHealth();
builder.AddSiloLease();
builder.AddOrleansTrader();
builder.AddTradingGateway();
builder.AllowAlpacaAccountsWhenConfigured();

var app = builder.Build();

app.UseTradingGateway();
app.MapSiloHealth();
app.MapTradingApi();

// Taken now: RunAsync disposes the host (and its services) before its exception reaches the filter below.
var started = app.Lifetime.ApplicationStarted;
var stopping = app.Lifetime.ApplicationStopping;
try
{
    await app.RunAsync();
}
catch (OperationCanceledException) when (stopping.IsCancellationRequested && !started.IsCancellationRequested)
{
    // Ctrl+C or SIGTERM before the silo had started (it was waiting for its database): nothing ran, nothing to save.
}

/// <summary>Entry point; public so integration tests can host the silo in-process.</summary>
public partial class Program;

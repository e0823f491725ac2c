using OrleansTrader.Gateway;
using OrleansTrader.Grains.Hosting;
using OrleansTrader.Silo;
using OrleansTrader.Silo.Health;
using OrleansTrader.Silo.Logging;

var builder = WebApplication.CreateBuilder(args);

builder.AddSiloLogging();
builder.AddSiloDefaults();
builder.AddSiloHealth();
builder.AddOrleansTrader();
builder.AddTradingGateway();
builder.AllowAlpacaAccountsWhenConfigured();

var app = builder.Build();

app.UseTradingGateway();
app.MapSiloHealth();
app.MapTradingApi();

await app.RunAsync();

/// <summary>Entry point; public so integration tests can host the silo in-process.</summary>
public partial class Program;

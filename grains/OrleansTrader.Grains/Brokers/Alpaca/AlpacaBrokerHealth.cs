using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using OrleansTrader.Brokers;
using OrleansTrader.Domain.Breaker;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Grains.Brokers.Alpaca;

/// <summary>
/// Hears the Alpaca client's circuit and trade_updates health. While the circuit is open, or the stream stays down longer
/// than <see cref="AlpacaBindingOptions.StreamUnhealthyTripAfter"/>, the bound account's breaker is tripped to REDUCING
/// (actor "system"), and the readiness check reports degraded. Recovery is logged and clears the degraded health, but the
/// breaker is not reset here: a reset needs the risk role and a reason, and an unattended venue outage is exactly what a
/// person should look at before new risk is taken.
/// </summary>
internal sealed partial class AlpacaBrokerHealth : IBrokerHealthListener, IHealthCheck, IAsyncDisposable
{
    private const int TripAttempts = 5;
    private static readonly TimeSpan TripRetryDelay = TimeSpan.FromSeconds(1);

    private readonly IServiceProvider _services;
    private readonly AlpacaBindingOptions _options;
    private readonly TimeProvider _time;
    private readonly ILogger<AlpacaBrokerHealth> _logger;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private readonly CancellationTokenRegistration _onStopping;
    private int _disposed;
    private bool _circuitOpen;
    private bool? _streamHealthy;
    private DateTimeOffset? _streamDownSince;
    private DateTimeOffset? _circuitOpenedAt;
    private DateTimeOffset? _lastTripAt;
    private ITimer? _streamTimer;
    private Task _trips = Task.CompletedTask;

    public AlpacaBrokerHealth(IServiceProvider services, IOptions<AlpacaBindingOptions> options, TimeProvider time, ILogger<AlpacaBrokerHealth> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _services = services;
        _options = options.Value;
        _time = time;
        _logger = logger;
        _onStopping = services.GetService<IHostApplicationLifetime>()?.ApplicationStopping.Register(_stopping.Cancel) ?? default;
    }

    /// <summary>Null until the stream first connects or fails.</summary>
    internal bool? StreamHealthy
    {
        get
        {
            lock (_gate)
            {
                return _streamHealthy;
            }
        }
    }

    internal bool CircuitOpen
    {
        get
        {
            lock (_gate)
            {
                return _circuitOpen;
            }
        }
    }

    public void OnCircuitOpened(string brokerName, TimeSpan breakDuration)
    {
        lock (_gate)
        {
            _circuitOpen = true;
            _circuitOpenedAt = _time.GetUtcNow();
        }

        LogCircuitOpened(_logger, _options.AccountId, breakDuration.TotalSeconds);
        Trip($"Alpaca circuit open: the venue failed repeatedly; calls fail fast for {breakDuration.TotalSeconds:0.#} s at a time.");
    }

    public void OnCircuitClosed(string brokerName)
    {
        lock (_gate)
        {
            _circuitOpen = false;
            _circuitOpenedAt = null;
        }

        LogRecovered(_logger, "circuit closed", _options.AccountId);
    }

    public void OnStreamHealthChanged(string brokerName, bool healthy)
    {
        ITimer? stale;
        var tripNow = false;
        lock (_gate)
        {
            var wasDown = _streamHealthy == false;
            _streamHealthy = healthy;
            stale = _streamTimer;
            _streamTimer = null;
            if (healthy)
            {
                _streamDownSince = null;
                if (wasDown)
                {
                    LogRecovered(_logger, "trade_updates stream healthy", _options.AccountId);
                }
            }
            else if (!_stopping.IsCancellationRequested)
            {
                _streamDownSince = _time.GetUtcNow();
                LogStreamDown(_logger, _options.AccountId, _options.StreamUnhealthyTripAfter.TotalSeconds);
                if (_options.StreamUnhealthyTripAfter <= TimeSpan.Zero)
                {
                    tripNow = true;
                }
                else
                {
                    _streamTimer = _time.CreateTimer(_ => TripIfStillDown(), null, _options.StreamUnhealthyTripAfter, Timeout.InfiniteTimeSpan);
                }
            }
        }

        stale?.Dispose();
        if (tripNow)
        {
            Trip("Alpaca trade_updates stream is down: fills may arrive late until it reconnects and back-fills.");
        }
    }

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        lock (_gate)
        {
            var data = new Dictionary<string, object>(StringComparer.Ordinal) { ["account"] = _options.AccountId };
            if (_lastTripAt is { } tripped)
            {
                data["lastBreakerTrip"] = tripped;
            }

            if (_circuitOpen)
            {
                return Task.FromResult(HealthCheckResult.Degraded(
                    $"The Alpaca circuit is open since {_circuitOpenedAt:O}: calls fail fast and the account's breaker is REDUCING.", data: data));
            }

            if (_streamHealthy == false)
            {
                return Task.FromResult(HealthCheckResult.Degraded(
                    $"The Alpaca trade_updates stream is down since {_streamDownSince:O}; it reconnects and back-fills on its own.", data: data));
            }

            var state = _streamHealthy is null ? "not started yet (its account has not been activated)" : "connected";
            var after = _lastTripAt is null ? string.Empty : " Recovered; the account's breaker stays where it is until the risk role resets it.";
            return Task.FromResult(HealthCheckResult.Healthy($"The Alpaca circuit is closed and the trade_updates stream is {state}.{after}", data));
        }
    }

    public async ValueTask DisposeAsync()
    {
        // Registered both as itself and as a listener and a health check, so the container may dispose it more than once.
        if (Interlocked.Exchange(ref _disposed, 1) == 1)
        {
            return;
        }

        await _onStopping.DisposeAsync();
        Task trips;
        lock (_gate)
        {
            _streamTimer?.Dispose();
            _streamTimer = null;
            trips = _trips;
        }

        await _stopping.CancelAsync();
        await trips;
        _stopping.Dispose();
    }

    private void TripIfStillDown()
    {
        bool down;
        lock (_gate)
        {
            down = _streamHealthy == false;
        }

        if (down)
        {
            Trip($"Alpaca trade_updates stream down for more than {_options.StreamUnhealthyTripAfter.TotalSeconds:0.#} s: fills may arrive late.");
        }
    }

    /// <summary>Queued, never inline: listeners run on the adapter's request path and must neither block nor throw.</summary>
    private void Trip(string reason)
    {
        if (_stopping.IsCancellationRequested)
        {
            return;
        }

        lock (_gate)
        {
            _lastTripAt = _time.GetUtcNow();
            _trips = _trips.ContinueWith(_ => TripAsync(reason), CancellationToken.None, TaskContinuationOptions.None, TaskScheduler.Default).Unwrap();
        }
    }

    private async Task TripAsync(string reason)
    {
        var breaker = _services.GetRequiredService<IGrainFactory>().GetGrain<IBreakerGrain>(_options.AccountId);
        for (var attempt = 1; attempt <= TripAttempts && !_stopping.IsCancellationRequested; attempt++)
        {
            try
            {
                var result = await breaker.TripAsync(TradingState.Reducing, BreakerActor.System, reason);
                if (result.Succeeded)
                {
                    LogTripped(_logger, _options.AccountId, reason);
                }
                else
                {
                    LogAlreadyTripped(_logger, _options.AccountId, result.Snapshot.State, result.Message ?? string.Empty);
                }

                return;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                LogTripFailed(_logger, ex, _options.AccountId, attempt, TripAttempts);
                try
                {
                    await Task.Delay(TripRetryDelay, _time, _stopping.Token);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(EventId = 5701, Level = LogLevel.Warning,
        Message = "Alpaca circuit opened for {BreakSeconds} s; tripping the breaker of account {AccountId} to REDUCING")]
    private static partial void LogCircuitOpened(ILogger logger, string accountId, double breakSeconds);

    [LoggerMessage(EventId = 5702, Level = LogLevel.Warning,
        Message = "Alpaca trade_updates stream of account {AccountId} is down; the breaker trips to REDUCING if it stays down for {TripAfterSeconds} s")]
    private static partial void LogStreamDown(ILogger logger, string accountId, double tripAfterSeconds);

    [LoggerMessage(EventId = 5703, Level = LogLevel.Warning, Message = "Breaker of account {AccountId} tripped to REDUCING by system: {Reason}")]
    private static partial void LogTripped(ILogger logger, string accountId, string reason);

    [LoggerMessage(EventId = 5704, Level = LogLevel.Information,
        Message = "Breaker of account {AccountId} already {State}; not tripped again: {Message}")]
    private static partial void LogAlreadyTripped(ILogger logger, string accountId, TradingState state, string message);

    [LoggerMessage(EventId = 5705, Level = LogLevel.Error, Message = "Could not trip the breaker of account {AccountId} (attempt {Attempt} of {Attempts})")]
    private static partial void LogTripFailed(ILogger logger, Exception exception, string accountId, int attempt, int attempts);

    [LoggerMessage(EventId = 5706, Level = LogLevel.Warning,
        Message = "Alpaca recovered ({What}); the breaker of account {AccountId} is left as it is: a reset needs the risk role and a reason")]
    private static partial void LogRecovered(ILogger logger, string what, string accountId);
}

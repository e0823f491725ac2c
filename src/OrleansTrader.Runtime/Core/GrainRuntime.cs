using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Runtime;

/// <summary>The silo's runtime: sends messages, owns the catalog, timers for timeouts and idle collection, reminders and streams.</summary>
internal sealed partial class GrainRuntime : IAsyncDisposable
{
    private readonly ILogger _logger;
    private readonly IMessageTransport _transport;
    private readonly CancellationTokenSource _stopping = new();
    private readonly long _responseTimeoutTicks;
    private readonly long _collectionAgeTicks;
    private ITimer? _timeoutTimer;
    private ITimer? _collectionTimer;
    private int _state;

    public GrainRuntime(
        IServiceProvider services,
        GrainTypeRegistry registry,
        IOptions<SiloOptions> options,
        TimeProvider timeProvider,
        IEnumerable<IIncomingGrainCallFilter> filters,
        ILogger<GrainRuntime> logger)
    {
        Services = services;
        Registry = registry;
        Options = options.Value;
        TimeProvider = timeProvider;
        Filters = filters.ToArray();
        _logger = logger;
        Catalog = new Catalog(this);
        Shared = new GrainReferenceShared(this);
        Client = new ClusterClient(this);
        Directory = new LocalGrainDirectory();
        Placement = new LocalPlacementStrategy(SiloAddress.Local);
        _transport = new InProcessMessageTransport(Catalog);
        _responseTimeoutTicks = ToTimestampTicks(Options.ResponseTimeout);
        _collectionAgeTicks = ToTimestampTicks(Options.CollectionAge);
        Serializer = services.GetRequiredService<IGrainStateSerializer>();
        Reminders = new ReminderService(this, services.GetService<IReminderTable>());
        Metrics = new RuntimeMetrics(services, registry);
        Streams = new StreamProviderCollection(this, services.GetServices<StreamProviderRegistration>(), Metrics.Meter);
    }

    public IServiceProvider Services { get; }

    public GrainTypeRegistry Registry { get; }

    public SiloOptions Options { get; }

    public TimeProvider TimeProvider { get; }

    public IIncomingGrainCallFilter[] Filters { get; }

    public Catalog Catalog { get; }

    public ClusterClient Client { get; }

    public GrainReferenceShared Shared { get; }

    /// <summary>
    /// Set by the test cluster: the runtime its client reaches now (the silo deployed last). A stream taken from this
    /// runtime outside its grain turns follows the client there once this silo is replaced, as grain references do.
    /// </summary>
    internal Func<GrainRuntime?>? ClientRuntime { get; set; }

    /// <summary>
    /// The runtime a handle taken from this one (a stream, a provider's counters) answers from: the one the test cluster's
    /// client reaches now, when that is not this one and the caller is not one of this runtime's grains; null otherwise.
    /// </summary>
    internal GrainRuntime? DeployedLastInstead() =>
        ClientRuntime?.Invoke() is { } deployedLast
        && !ReferenceEquals(deployedLast, this)
        && !ReferenceEquals(CallContext.Current?.Activation?.Runtime, this)
            ? deployedLast
            : null;

    public IGrainDirectory Directory { get; }

    public IPlacementStrategy Placement { get; }

    public ReminderService Reminders { get; }

    public IGrainStateSerializer Serializer { get; }

    public StreamProviderCollection Streams { get; }

    public RuntimeMetrics Metrics { get; }

    /// <summary>Cancelled when the silo is killed; passed to activation and deactivation callbacks.</summary>
    public CancellationToken StoppingToken => _stopping.Token;

    public long ToTimestampTicks(TimeSpan span)
    {
        if (span == Timeout.InfiniteTimeSpan)
        {
            return long.MaxValue;
        }

        var ticks = span.TotalSeconds * TimeProvider.TimestampFrequency;
        return ticks >= long.MaxValue ? long.MaxValue : (long)ticks;
    }

    /// <summary>
    /// <paramref name="timestamp"/> plus <paramref name="ticks"/>, held at long.MaxValue (never): a span as long as
    /// TimeSpan.MaxValue would otherwise wrap around to a time long past, and "keep forever" or "wait forever" would
    /// expire at once.
    /// </summary>
    public static long AddTicks(long timestamp, long ticks) =>
        ticks > 0 && timestamp > long.MaxValue - ticks ? long.MaxValue : timestamp + ticks;

    /// <summary>Sends a request from the current call context (a grain turn or outside code).</summary>
    public void Send(GrainId target, GrainRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var context = CallContext.Current;
        Message message;
        if ((request.Options & GrainRequestOptions.OneWay) != 0)
        {
            message = new Message(target, request, null, context?.Values, long.MaxValue);
        }
        else
        {
            var deadline = AddTicks(TimeProvider.GetTimestamp(), _responseTimeoutTicks);
            message = context is null
                ? new Message(target, request, null, null, deadline)
                : new Message(target, request, context.OutgoingChain, context.Values, deadline);
        }

        _transport.Send(SiloAddress.Local, message);
    }

    /// <summary>Sends a request on the runtime's own behalf (reminders, stream deliveries): no caller chain or RequestContext.</summary>
    public void SendFromRuntime(GrainId target, GrainRequest request) =>
        _transport.Send(SiloAddress.Local, new Message(target, request, null, null, AddTicks(TimeProvider.GetTimestamp(), _responseTimeoutTicks)));

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 1, 0) != 0)
        {
            throw new InvalidOperationException("The silo was already started.");
        }

        var timeoutPeriod = TimeSpan.FromTicks(Math.Clamp(Options.ResponseTimeout.Ticks / 4, TimeSpan.TicksPerMillisecond * 10, TimeSpan.TicksPerSecond));
        _timeoutTimer = TimeProvider.CreateTimer(static s => ((GrainRuntime)s!).CheckTimeouts(), this, timeoutPeriod, timeoutPeriod);
        var collectionPeriod = Options.CollectionQuantum < Options.CollectionAge ? Options.CollectionQuantum : Options.CollectionAge;
        foreach (var grainClass in Registry.Classes)
        {
            if (grainClass.CollectionAge is { } age && age < collectionPeriod)
            {
                collectionPeriod = age;
            }
        }

        _collectionTimer = TimeProvider.CreateTimer(static s => ((GrainRuntime)s!).CollectIdle(), this, collectionPeriod, collectionPeriod);
        await Reminders.StartAsync(cancellationToken);
        await Streams.StartAsync(cancellationToken);
        LogSiloStarted(Registry.Classes.Count());
    }

    /// <summary>Graceful stop: every activation runs OnDeactivateAsync (where grains persist) before this completes.</summary>
    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.CompareExchange(ref _state, 2, 1) != 1)
        {
            return;
        }

        // Reminders stop before anything is awaited, as in Orleans: a tick falling due while the streams stop would otherwise
        // activate its grain (and run its OnActivateAsync) in a silo that is going away. Their rows stay for the next silo.
        Reminders.Stop();

        // Stream deliveries stop next, then activations still running OnActivateAsync are given up: a cursor's delivery
        // waiting for one would otherwise hold up stopping the streams until it finished or timed out. In that order the
        // delivery that fails with the activation is left for the next silo, not counted against the consumer. Memory
        // streams stop delivering here too, not after the durable flush: an event would otherwise activate its subscriber
        // in a silo going away; what they still hold or are sent from now on, OnDeactivateAsync included, is dropped and
        // counted (they are not durable); they refuse publishing only once the activations are done.
        Streams.CancelDelivery();
        var reason = new DeactivationReason(DeactivationReasonCode.ShuttingDown, "The silo is shutting down.");
        foreach (var activation in Catalog.Snapshot())
        {
            activation.AbandonIfActivating(reason);
        }

        await Streams.StopDurableStreamsAsync();
        Catalog.StopAccepting();
        var activations = Catalog.Snapshot();
        foreach (var activation in activations)
        {
            activation.RequestDeactivation(reason);
        }

        var all = Task.WhenAll(activations.Select(a => a.Deactivated));
        try
        {
            await all.WaitAsync(Options.DeactivationTimeout, TimeProvider, cancellationToken);
        }
        catch (Exception ex) when (ex is TimeoutException || (ex is OperationCanceledException && cancellationToken.IsCancellationRequested))
        {
            // Out of time (ours, or the host's shutdown timeout): the silo stops anyway, and says what it left behind.
            LogShutdownTimedOut(activations.Count(a => !a.Deactivated.IsCompleted));
        }

        // Memory streams took (and dropped) what the deactivations published; from here on publishing fails.
        Streams.StopMemoryStreams();
        StopTimers();
        LogSiloStopped(activations.Length);
    }

    /// <summary>Crash: activations vanish without OnDeactivateAsync, pending calls fail.</summary>
    public async Task KillAsync()
    {
        Interlocked.Exchange(ref _state, 3);
        await _stopping.CancelAsync();
        Streams.Cancel();
        Reminders.Stop();
        Catalog.StopAccepting();
        StopTimers();
        foreach (var activation in Catalog.Snapshot())
        {
            activation.Kill();
            Catalog.Remove(activation);
        }

        await Streams.StopAsync();
    }

    public async ValueTask DisposeAsync()
    {
        StopTimers();
        await Streams.StopAsync();
        Reminders.Stop();
        Metrics.Dispose();
        _stopping.Dispose();
    }

    private void StopTimers()
    {
        _timeoutTimer?.Dispose();
        _collectionTimer?.Dispose();
    }

    private void CheckTimeouts()
    {
        var now = TimeProvider.GetTimestamp();
        foreach (var activation in Catalog.Snapshot())
        {
            activation.CheckTimeouts(now);
        }
    }

    private void CollectIdle()
    {
        var now = TimeProvider.GetTimestamp();
        var reason = new DeactivationReason(DeactivationReasonCode.ActivationIdle, "The activation was idle longer than its collection age.");
        foreach (var activation in Catalog.Snapshot())
        {
            var age = activation.Class.CollectionAge is { } classAge ? ToTimestampTicks(classAge) : _collectionAgeTicks;
            if (activation.IsIdle(now, age))
            {
                activation.RequestDeactivation(reason);
            }
        }
    }

    [LoggerMessage(EventId = 1000, Level = LogLevel.Information, Message = "Silo started with {GrainClassCount} grain classes")]
    private partial void LogSiloStarted(int grainClassCount);

    [LoggerMessage(EventId = 1001, Level = LogLevel.Information, Message = "Silo stopped; {ActivationCount} activations deactivated")]
    private partial void LogSiloStopped(int activationCount);

    [LoggerMessage(EventId = 1002, Level = LogLevel.Warning, Message = "Shutdown timed out with {ActivationCount} activations still deactivating")]
    private partial void LogShutdownTimedOut(int activationCount);

    [LoggerMessage(EventId = 1010, Level = LogLevel.Debug, Message = "Activated {GrainId}")]
    public partial void LogActivated(GrainId grainId);

    [LoggerMessage(EventId = 1011, Level = LogLevel.Warning, Message = "Activation of {GrainId} failed")]
    public partial void LogActivationFailed(Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1014, Level = LogLevel.Error, Message = "A callback {GrainId} left on a cancellation token the runtime gave it failed")]
    public partial void LogCancellationCallbackFailed(Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1016, Level = LogLevel.Information, Message = "Activation of {GrainId} abandoned: {Why}")]
    public partial void LogActivationAbandoned(GrainId grainId, string why);

    [LoggerMessage(EventId = 1012, Level = LogLevel.Debug, Message = "Deactivated {GrainId} ({Reason})")]
    public partial void LogDeactivated(GrainId grainId, DeactivationReasonCode reason);

    [LoggerMessage(EventId = 1013, Level = LogLevel.Error, Message = "OnDeactivateAsync of {GrainId} failed")]
    public partial void LogDeactivationFailed(Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1020, Level = LogLevel.Warning, Message = "Call {Interface}.{Method} to {GrainId} timed out")]
    public partial void LogCallTimedOut(GrainId grainId, string @interface, string method);

    [LoggerMessage(EventId = 1030, Level = LogLevel.Error, Message = "A timer callback of {GrainId} failed")]
    public partial void LogTimerFailed(Exception exception, GrainId grainId);

    [LoggerMessage(EventId = 1040, Level = LogLevel.Error, Message = "Delivering reminder {ReminderName} to {GrainId} failed")]
    public partial void LogReminderFailed(Exception exception, GrainId grainId, string reminderName);

    [LoggerMessage(EventId = 1050, Level = LogLevel.Warning, Message = "Stream {StreamId} on provider {Provider} dropped {Count} event(s): queue full")]
    public partial void LogStreamDropped(StreamId streamId, string provider, int count);

    [LoggerMessage(EventId = 1057, Level = LogLevel.Warning, Message = "Stream {StreamId} on provider {Provider} dropped {Count} event(s): the silo is stopping (memory streams are not durable)")]
    public partial void LogStreamDroppedAtStop(StreamId streamId, string provider, int count);

    [LoggerMessage(EventId = 1051, Level = LogLevel.Warning, Message = "Delivery of {StreamId} #{Sequence} to {ConsumerId} failed (attempt {Attempt})")]
    public partial void LogStreamDeliveryFailed(Exception exception, StreamId streamId, long sequence, string consumerId, int attempt);

    [LoggerMessage(EventId = 1052, Level = LogLevel.Error, Message = "Event {StreamId} #{Sequence} dead-lettered for {ConsumerId} after {Attempts} attempts")]
    public partial void LogStreamDeadLettered(StreamId streamId, long sequence, string consumerId, int attempts);

    [LoggerMessage(EventId = 1053, Level = LogLevel.Error, Message = "Stream agent for {StreamNamespace} on {Provider} failed")]
    public partial void LogStreamAgentFailed(Exception exception, string streamNamespace, string provider);

    [LoggerMessage(EventId = 1061, Level = LogLevel.Warning,
        Message = "Stream agent for {StreamNamespace} on {Provider}: the database dropped the connection of its scan ({Reason}); the next scan reads again")]
    public partial void LogStreamScanConnectionDropped(string streamNamespace, string provider, string reason);

    [LoggerMessage(EventId = 1062, Level = LogLevel.Warning,
        Message = "Stream agent for {StreamNamespace} on {Provider}: the database dropped the connection of the consumer's cursor ({Reason}); a new cursor reads again from the consumer's checkpoint")]
    public partial void LogStreamCursorConnectionDropped(string streamNamespace, string provider, string reason);

    [LoggerMessage(EventId = 1063, Level = LogLevel.Warning,
        Message = "Stream agent for {StreamNamespace} on {Provider}: the database dropped the connection of a checkpoint write ({Reason}); the checkpoints are kept and written by the next flush")]
    public partial void LogStreamCheckpointConnectionDropped(string streamNamespace, string provider, string reason);
}

using System.Reflection;
using System.Reflection.Emit;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Runtime.Testing;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>Timeouts, idle collection, timers and reminders, all driven by a fake clock (no sleeps).</summary>
public sealed class TimeDrivenTests
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;

    [Fact]
    public async Task ResponseTimeout_FailsCallerWithTimeoutException_AndIsNeverRetried()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5)));
        var grain = cluster.Client.GetGrain<IProbeGrain>("slow");
        var call = grain.Enter("a");
        await cluster.Probe.WaitAsync("slow/entered/a");

        cluster.Time.Advance(TimeSpan.FromSeconds(6));

        await Assert.ThrowsAsync<TimeoutException>(() => call);
        cluster.Probe.Signal("slow/gate/a");
        await cluster.Probe.WaitAsync("slow/exited/a");
        Assert.Equal(["enter a", "exit a"], await grain.GetLog());
        Assert.Equal(1, cluster.Probe.Count("slow/calls/a"));
    }

    [Fact]
    public async Task ResponseTimeout_DoesNotFire_BeforeTheDeadline()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o => o.ResponseTimeout = TimeSpan.FromSeconds(5)));
        var grain = cluster.Client.GetGrain<IProbeGrain>("patient");
        var call = grain.Enter("a");
        await cluster.Probe.WaitAsync("patient/entered/a");

        cluster.Time.Advance(TimeSpan.FromSeconds(4));
        cluster.Probe.Signal("patient/gate/a");

        await call;
    }

    [Fact]
    public async Task IdleActivation_IsCollected_AfterItsCollectionAge()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<IProbeGrain>("idle");
        var first = await grain.GetActivationId();

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        var afterOneMinute = await grain.GetActivationId();
        cluster.Time.Advance(TimeSpan.FromMinutes(3));
        var reasons = await cluster.Probe.WaitForLogAsync("idle/deactivated", 1);

        Assert.Equal(first, afterOneMinute);
        Assert.Equal(["ActivationIdle"], reasons);
        Assert.NotEqual(first, await grain.GetActivationId());
    }

    [Fact]
    public async Task ActivationRunningACall_IsNotCollected_WhileTheCallOutlivesItsCollectionAge()
    {
        // ProbeGrain's collection age is two minutes; a call running for five is work, not idleness.
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o => o.ResponseTimeout = TimeSpan.FromHours(1)));
        var grain = cluster.Client.GetGrain<IProbeGrain>("busy");
        var first = await grain.GetActivationId();
        var call = grain.Enter("a");
        await cluster.Probe.WaitAsync("busy/entered/a");

        cluster.Time.Advance(TimeSpan.FromMinutes(5));
        cluster.Probe.Signal("busy/gate/a");
        await call;

        Assert.Equal(first, await grain.GetActivationId());
        Assert.Empty(cluster.Probe.GetLog("busy/deactivated"));
    }

    [Fact]
    public async Task DelayDeactivation_KeepsIdleActivation_UntilItExpires()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<IProbeGrain>("kept");
        var first = await grain.GetActivationId();
        await grain.KeepAliveFor(TimeSpan.FromMinutes(10));

        cluster.Time.Advance(TimeSpan.FromMinutes(5));
        var afterFive = await grain.GetActivationId();
        cluster.Time.Advance(TimeSpan.FromMinutes(8));
        var reasons = await cluster.Probe.WaitForLogAsync("kept/deactivated", 1);

        Assert.Equal(first, afterFive);
        Assert.Equal(["ActivationIdle"], reasons);
    }

    [Fact]
    public async Task DelayDeactivation_ForTimeSpanMaxValue_KeepsIdleActivation()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<IProbeGrain>("kept-forever");
        var first = await grain.GetActivationId();
        await grain.KeepAliveFor(TimeSpan.MaxValue);

        cluster.Time.Advance(TimeSpan.FromMinutes(30));

        Assert.Equal(first, await grain.GetActivationId());
        Assert.Empty(cluster.Probe.GetLog("kept-forever/deactivated"));
    }

    [Fact]
    public async Task ResponseTimeout_OfTimeSpanMaxValue_NeverFailsAWaitingCall()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o => o.ResponseTimeout = TimeSpan.MaxValue));
        var grain = cluster.Client.GetGrain<IProbeGrain>("no-deadline");
        var call = grain.Enter("a");
        await cluster.Probe.WaitAsync("no-deadline/entered/a");

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        cluster.Probe.Signal("no-deadline/gate/a");

        await call;
        Assert.Equal(["enter a", "exit a"], await grain.GetLog());
    }

    [Fact]
    public async Task DefaultCollectionAge_AppliesToClassesWithoutAttribute()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(10)));
        var grain = cluster.Client.GetGrain<IReentrantProbeGrain>("default-age");

        var first = await grain.GetActivationId();
        cluster.Time.Advance(TimeSpan.FromMinutes(9));
        var afterNineMinutes = await grain.GetActivationId();
        cluster.Time.Advance(TimeSpan.FromMinutes(11));

        Assert.Equal(first, afterNineMinutes);
        Assert.Equal(["ActivationIdle"], await cluster.Probe.WaitForLogAsync("default-age/deactivated", 1));
    }

    [Fact]
    public void CollectionAgeLimit_ThatIsNotPositive_IsRefused_NamingTheClass()
    {
        // [CollectionAgeLimit] without an amount is zero; the silo's collection timer took the smallest age as its period,
        // and a timer with period zero fires once: no activation of any class was ever collected again. The class is
        // built at run time so no test silo hosts it.
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("ZeroCollectionAgeGrains"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("ZeroCollectionAgeGrains")
            .DefineType("ZeroCollectionAgeGrain", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class, typeof(Grain));
        type.SetCustomAttribute(new CustomAttributeBuilder(typeof(CollectionAgeLimitAttribute).GetConstructor(Type.EmptyTypes)!, []));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        type.CreateType();

        var error = Assert.Throws<InvalidOperationException>(() => new GrainTypeRegistry([new GrainAssembly(assembly)]));

        Assert.Contains("ZeroCollectionAgeGrain", error.Message, StringComparison.Ordinal);
        Assert.Contains("[CollectionAgeLimit]", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Timer_NeverOverlapsItsOwnTicks()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-overlap");
        await grain.StartTimer(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), interleave: false, gated: true);

        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-overlap/tick/1");
        cluster.Time.Advance(TimeSpan.FromSeconds(10));
        var duringTick = await grain.GetLog();
        cluster.Probe.Signal("t-overlap/tick-gate/1");
        await grain.Ping();
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-overlap/tick/2");
        cluster.Probe.Signal("t-overlap/tick-gate/2");

        Assert.Equal(["tick-start 1"], duringTick);
        Assert.Equal(2, cluster.Probe.Count("t-overlap/ticks"));
    }

    [Fact]
    public async Task InterleavingTimer_ChangedWhileATickRuns_DoesNotOverlapIt_AndTakesEffectAfterIt()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-change-running");
        var scheduled = cluster.Time.ActiveTimerCount + 1;
        await grain.StartTimer(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), interleave: true, gated: true);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-change-running/tick/1");

        await grain.ChangeTimer(TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(1));
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        var duringTick = await grain.GetLog();
        cluster.Probe.Signal("t-change-running/tick-gate/1");
        await cluster.Probe.WaitAsync("t-change-running/tick-end/1");
        await cluster.Time.WaitForActiveTimerCountAsync(scheduled).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        await cluster.Probe.WaitAsync("t-change-running/tick/2");
        cluster.Probe.Signal("t-change-running/tick-gate/2");
        await cluster.Probe.WaitAsync("t-change-running/tick-end/2");

        Assert.Equal(["tick-start 1"], duringTick);
        Assert.Equal(["tick-start 1", "tick-end 1", "tick-start 2", "tick-end 2"], await grain.GetLog());
    }

    [Fact]
    public async Task Timer_ChangedInsideItsOwnTick_NextTicksAfterTheNewDueTime()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-change-self");
        var scheduled = cluster.Time.ActiveTimerCount + 1;
        await grain.StartTimerThatChangesItself(TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(10));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-change-self/tick-end/1");
        await cluster.Time.WaitForActiveTimerCountAsync(scheduled).WaitAsync(TimeSpan.FromSeconds(20), Ct);

        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        await grain.Ping();

        Assert.Equal(2, cluster.Probe.Count("t-change-self/ticks"));
    }

    [Fact]
    public async Task Timer_RegisteredWithInfiniteDueTime_StaysIdle_UntilChanged()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-disabled");
        await grain.StartTimer(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan, interleave: false, gated: false);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await grain.Ping();
        var beforeChange = cluster.Probe.Count("t-disabled/ticks");

        await grain.ChangeTimer(TimeSpan.FromSeconds(5), Timeout.InfiniteTimeSpan);
        cluster.Time.Advance(TimeSpan.FromSeconds(5));
        await cluster.Probe.WaitAsync("t-disabled/tick-end/1");

        Assert.Equal(0, beforeChange);
        Assert.Equal(["tick-start 1", "tick-end 1"], await grain.GetLog());
    }

    [Fact]
    public async Task Timer_WithAZeroPeriod_TicksAgainAsSoonAsATickEnds_AsOrleansDoes()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-zero-period");
        await grain.StartTimer(TimeSpan.Zero, TimeSpan.Zero, interleave: false, gated: true);

        await cluster.Probe.WaitAsync("t-zero-period/tick/1");
        cluster.Probe.Signal("t-zero-period/tick-gate/1");
        await cluster.Probe.WaitAsync("t-zero-period/tick/2");
        await grain.ChangeTimer(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        cluster.Probe.Signal("t-zero-period/tick-gate/2");
        await grain.Ping();

        Assert.Equal(2, cluster.Probe.Count("t-zero-period/ticks"));
    }

    [Fact]
    public async Task Timer_WithADueTimeBeyondTheSystemTimerLimit_IsRejected_AndNeverTicks()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-due-too-long");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => grain.StartTimer(TimeSpan.FromDays(50), Timeout.InfiniteTimeSpan, interleave: false, gated: false));
        cluster.Time.Advance(TimeSpan.FromDays(51));
        await grain.Ping();

        Assert.Equal(0, cluster.Probe.Count("t-due-too-long/ticks"));
    }

    [Fact]
    public async Task Timer_WithAPeriodBeyondTheSystemTimerLimit_IsRejected_AndNeverTicks()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-period-too-long");

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(
            () => grain.StartTimer(TimeSpan.FromSeconds(1), TimeSpan.FromDays(50), interleave: false, gated: false));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await grain.Ping();

        Assert.Equal(0, cluster.Probe.Count("t-period-too-long/ticks"));
    }

    [Fact]
    public async Task Timer_ChangedBeyondTheSystemTimerLimit_IsRejected_AndKeepsItsSchedule()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-change-too-long");
        await grain.StartTimer(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan, interleave: false, gated: false);

        await Assert.ThrowsAsync<ArgumentOutOfRangeException>(() => grain.ChangeTimer(TimeSpan.FromDays(50), Timeout.InfiniteTimeSpan));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));

        await cluster.Probe.WaitAsync("t-change-too-long/tick-end/1");
    }

    [Fact]
    public async Task Timer_WaitsForRunningRequest_OnNonReentrantGrain()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-turns");
        await grain.StartTimer(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan, interleave: false, gated: false);
        var call = grain.Block("a");
        await cluster.Probe.WaitAsync("t-turns/entered/a");

        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        var whileBlocked = await grain.GetLog();
        cluster.Probe.Signal("t-turns/gate/a");
        await call;
        await cluster.Probe.WaitAsync("t-turns/tick-end/1");

        Assert.Equal(["enter a"], whileBlocked);
        Assert.Equal(["enter a", "exit a", "tick-start 1", "tick-end 1"], await grain.GetLog());
    }

    [Fact]
    public async Task InterleavingTimer_RunsWhileRequestAwaits()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-interleave");
        await grain.StartTimer(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan, interleave: true, gated: false);
        var call = grain.Block("a");
        await cluster.Probe.WaitAsync("t-interleave/entered/a");

        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-interleave/tick-end/1");
        var log = await grain.GetLog();
        cluster.Probe.Signal("t-interleave/gate/a");
        await call;

        Assert.Equal(["enter a", "tick-start 1", "tick-end 1"], log);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task Request_RunsWhileAnInterleavingTick_Awaits_AndWaitsForATickThatDoesNotInterleave(bool interleave)
    {
        // GrainTimerCreationOptions.Interleave: ticks interleave with requests, and requests with ticks.
        await using var cluster = await IsolatedCluster.StartAsync();
        var key = interleave ? "t-request-beside-tick" : "t-request-behind-tick";
        var grain = cluster.Client.GetGrain<ITimerGrain>(key);
        await grain.StartTimer(TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan, interleave, gated: true);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync(key + "/tick/1");

        var call = grain.Block("a");
        if (interleave)
        {
            await cluster.Probe.WaitAsync(key + "/entered/a");
            cluster.Probe.Signal(key + "/gate/a");
            await call;
        }

        cluster.Probe.Signal(key + "/tick-gate/1");
        await cluster.Probe.WaitAsync(key + "/tick-end/1");
        cluster.Probe.Signal(key + "/gate/a");
        await call;

        Assert.Equal(
            interleave ? ["tick-start 1", "enter a", "exit a", "tick-end 1"] : ["tick-start 1", "tick-end 1", "enter a", "exit a"],
            await grain.GetLog());
    }

    [Fact]
    public async Task Timer_StopsWhenActivationDeactivates()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-stop");
        var timersBefore = cluster.Time.ActiveTimerCount;
        await grain.StartTimer(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1), interleave: false, gated: false);
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-stop/tick-end/1");

        await grain.Deactivate();
        await cluster.Probe.WaitAsync("t-stop/deactivated");
        cluster.Time.Advance(TimeSpan.FromSeconds(10));

        Assert.Equal(1, cluster.Probe.Count("t-stop/ticks"));
        Assert.Equal(timersBefore, cluster.Time.ActiveTimerCount);
    }

    [Fact]
    public async Task Timer_WhoseTokenCallbackThrowsWhenStopped_StillLetsItsActivationDeactivate()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-throwing-cancel");
        var first = await grain.GetActivationId();
        await grain.StartTimerWithThrowingCancellationCallback(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        cluster.Time.Advance(TimeSpan.FromSeconds(1));
        await cluster.Probe.WaitAsync("t-throwing-cancel/tick-end/1");

        // Stopping the timer cancels its token; the callback's exception must not end the deactivation half-way (the
        // activation stayed in the catalog, deactivating for good, and every later call to the grain timed out).
        await grain.Deactivate();
        await cluster.Probe.WaitAsync("t-throwing-cancel/deactivated");

        Assert.NotEqual(first, await grain.GetActivationId().WaitAsync(TimeSpan.FromSeconds(20), Ct));
    }

    [Fact]
    public async Task KeepAliveTimer_KeepsActivation_PastItsCollectionAge()
    {
        await using var cluster = await StartWithTwoMinuteCollectionAgeAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-keepalive");
        var activation = await grain.GetActivationId();
        var scheduled = cluster.Time.ActiveTimerCount + 1;
        await grain.StartKeepAliveTimer(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), keepAlive: true);

        var ticks = await TickUntilDeactivatedAsync(cluster, "t-keepalive", scheduled, maxTicks: 30);

        Assert.Equal(30, ticks);
        Assert.False(cluster.Probe.IsSignaled("t-keepalive/deactivated"));
        Assert.Equal(activation, await grain.GetActivationId());
    }

    [Fact]
    public async Task NonKeepAliveTimer_TicksWithoutKeepingActivation_FromCollection()
    {
        await using var cluster = await StartWithTwoMinuteCollectionAgeAsync();
        var grain = cluster.Client.GetGrain<ITimerGrain>("t-no-keepalive");
        var scheduled = cluster.Time.ActiveTimerCount + 1;
        await grain.StartKeepAliveTimer(TimeSpan.FromSeconds(10), TimeSpan.FromSeconds(20), keepAlive: false);

        var ticks = await TickUntilDeactivatedAsync(cluster, "t-no-keepalive", scheduled, maxTicks: 30);

        // Collected at the first collection pass at least two idle minutes after the last request (120 s); a tick
        // still finishing its turn at that pass puts it off to the next one. Either way long before 30 ticks.
        Assert.InRange(ticks, 6, 14);
        Assert.Equal(["ActivationIdle"], cluster.Probe.GetLog("t-no-keepalive/deactivation-reasons"));
        Assert.Equal(scheduled - 1, cluster.Time.ActiveTimerCount);
    }

    [Fact]
    public async Task Reminder_FiresAfterSiloRestart_FromTheSameTable()
    {
        var table = new MemoryReminderTable();
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Services.AddSingleton<IReminderTable>(table));
        await cluster.Client.GetGrain<IReminderGrain>("r1").Register("wake", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5));

        await cluster.Cluster.RestartSiloAsync(Ct);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(["wake"], await cluster.Probe.WaitForLogAsync("r1/reminders", 1));
        Assert.Single(await table.ReadAllRowsAsync(Ct));
    }

    [Fact]
    public async Task Reminder_DueLaterThanASystemTimerReaches_IsRegistered_AndTheSiloRestartsWithIt()
    {
        // The system clock's timers take at most about 49.7 days; a reminder may be due later than that (a quarterly one).
        var table = new MemoryReminderTable();
        var probe = new TestProbe();
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        await using var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, probe, storage))
            .AddSiloBuilderConfigurator(silo => silo.Services.AddSingleton<IReminderTable>(table))
            .Build();
        await cluster.DeployAsync(Ct);

        await cluster.Client.GetGrain<IReminderGrain>("r-quarterly").Register("quarter", TimeSpan.FromDays(90), TimeSpan.FromDays(91));
        await cluster.RestartSiloAsync(Ct);

        var row = Assert.Single(await table.ReadAllRowsAsync(Ct));
        Assert.Equal("quarter", row.ReminderName);
        Assert.Empty(probe.GetLog("r-quarterly/reminders"));
    }

    [Fact]
    public async Task Reminder_DueLaterThanASystemTimerReaches_FiresOnce_WhenDue()
    {
        var table = new MemoryReminderTable();
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Services.AddSingleton<IReminderTable>(table));
        var grain = cluster.Client.GetGrain<IReminderGrain>("r-late");
        await grain.Register("late", TimeSpan.FromDays(60), TimeSpan.FromDays(91));

        cluster.Time.Advance(TimeSpan.FromDays(59));
        await grain.Register("barrier", TimeSpan.FromDays(365), TimeSpan.FromDays(365));
        var beforeDue = cluster.Probe.GetLog("r-late/reminders");
        cluster.Time.Advance(TimeSpan.FromDays(1));

        Assert.Empty(beforeDue);
        Assert.Equal(["late"], await cluster.Probe.WaitForLogAsync("r-late/reminders", 1));
    }

    [Fact]
    public async Task Reminder_DueLaterThanASystemTimerReaches_Fires_WhenTheWallClockPassedItsDueTimeBetweenSteps()
    {
        var table = new MemoryReminderTable();
        var probe = new TestProbe();
        var time = new FakeTimeProvider();
        var clock = new SkewedTimeProvider(time);
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        await using var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, probe, storage, clock))
            .AddSiloBuilderConfigurator(silo => silo.Services.AddSingleton<IReminderTable>(table))
            .Build();
        await cluster.DeployAsync(Ct);
        await cluster.Client.GetGrain<IReminderGrain>("r-skew").Register("late", TimeSpan.FromDays(60), TimeSpan.FromDays(91));

        // The wall clock runs 20 days ahead of the time the timers count: at the first step (0xFFFFFFFE ms, about 49.7 days
        // of timer time) the reminder is already 9.7 days overdue. The clock stops there, so the tick does not time out.
        clock.Skew = TimeSpan.FromDays(20);
        time.Advance(TimeSpan.FromMilliseconds(0xFFFFFFFE));

        Assert.Equal(["late"], await probe.WaitForLogAsync("r-skew/reminders", 1));
    }

    /// <summary>
    /// A reminder's ticks are due on the wall clock, and a tick is never sent twice: so with the clock set back an hour (an
    /// operator's mistake, NTP stepping a clock that ran fast) the next one was put after the tick just sent, an hour and a
    /// period away, and a keep-alive reminder (a webhook's, a strategy's) stopped for that hour.
    /// </summary>
    [Fact]
    public async Task Reminder_GoesOnEveryPeriod_WhenTheWallClockIsSetBackAnHour()
    {
        var probe = new TestProbe();
        var time = new FakeTimeProvider();
        var clock = new SkewedTimeProvider(time);
        using var storage = new MemoryGrainStorage(new JsonGrainStateSerializer([TestJsonContext.Default]));
        await using var cluster = new TestClusterBuilder()
            .AddSiloBuilderConfigurator(silo => TestSilo.Configure(silo, probe, storage, clock))
            .AddSiloBuilderConfigurator(silo => silo.Services.AddSingleton<IReminderTable>(new MemoryReminderTable()))
            .Build();
        await cluster.DeployAsync(Ct);
        await cluster.Client.GetGrain<IReminderGrain>("r-back").Register("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var armed = time.ActiveTimerCount;
        time.Advance(TimeSpan.FromMinutes(1));
        await probe.WaitForLogAsync("r-back/reminders", 1);
        await time.WaitForActiveTimerCountAsync(armed).WaitAsync(TimeSpan.FromSeconds(20), Ct);

        clock.Skew = -TimeSpan.FromHours(1);

        // Ten minutes of timer time in steps of 10 s, each step once the tick before it is armed again: a tick disarms the
        // reminder's timer until its call completes, and steps taken meanwhile (a 20 ms sleep on a busy machine) were
        // minutes the reminder could not tick in, so it skipped periods the product did not skip.
        var elapsed = TimeSpan.Zero;
        while (probe.GetLog("r-back/reminders").Count < 4 && elapsed < TimeSpan.FromMinutes(10))
        {
            time.Advance(TimeSpan.FromSeconds(10));
            elapsed += TimeSpan.FromSeconds(10);
            await time.WaitForActiveTimerCountAsync(armed).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }

        Assert.True(elapsed <= TimeSpan.FromMinutes(5), $"{probe.GetLog("r-back/reminders").Count} ticks in {elapsed} after the clock was set back an hour");
    }

    [Fact]
    public async Task Reminder_FiresEveryPeriod_UntilUnregistered()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.UseInMemoryReminderService());
        var grain = cluster.Client.GetGrain<IReminderGrain>("r2");
        await grain.Register("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.Probe.WaitForLogAsync("r2/reminders", 1);
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.Probe.WaitForLogAsync("r2/reminders", 2);
        await grain.Unregister("tick");
        cluster.Time.Advance(TimeSpan.FromMinutes(5));

        Assert.Equal(["tick", "tick"], cluster.Probe.GetLog("r2/reminders"));
    }

    [Fact]
    public async Task Reminder_UnregisterWithAStaleHandle_ThrowsTagMismatch_AndKeepsTheNewerRegistrationFiring()
    {
        var table = new MemoryReminderTable();
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Services.AddSingleton<IReminderTable>(table));
        var grain = cluster.Client.GetGrain<IReminderGrain>("r-stale");
        await grain.RegisterKeepingHandle("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        await grain.Register("tick", TimeSpan.FromMinutes(2), TimeSpan.FromMinutes(2)); // registered again: the kept handle is stale

        var error = await Assert.ThrowsAsync<ReminderException>(() => grain.UnregisterKept("tick"));

        Assert.Contains("tag mismatch", error.Message, StringComparison.Ordinal);
        var row = Assert.Single(await table.ReadAllRowsAsync(Ct));
        Assert.Equal(TimeSpan.FromMinutes(2), row.Period);
        cluster.Time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(["tick"], await cluster.Probe.WaitForLogAsync("r-stale/reminders", 1));
    }

    [Fact]
    public async Task Reminder_UnregisterWithTheCurrentHandle_RemovesItsRow_StopsItsTicks_AndMayBeRepeated()
    {
        var table = new MemoryReminderTable();
        await using var cluster = await IsolatedCluster.StartAsync(silo => silo.Services.AddSingleton<IReminderTable>(table));
        var grain = cluster.Client.GetGrain<IReminderGrain>("r-current");
        await grain.RegisterKeepingHandle("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.Probe.WaitForLogAsync("r-current/reminders", 1);

        await grain.UnregisterKept("tick");
        await grain.UnregisterKept("tick"); // already gone: nothing newer to protect, so not an error
        cluster.Time.Advance(TimeSpan.FromMinutes(5));
        await grain.Register("barrier", TimeSpan.FromDays(365), TimeSpan.FromDays(365));

        Assert.Equal("barrier", Assert.Single(await table.ReadAllRowsAsync(Ct)).ReminderName);
        Assert.Equal(["tick"], cluster.Probe.GetLog("r-current/reminders"));
    }

    [Fact]
    public async Task Reminder_DoesNotTickWhileItsPreviousTickRuns_AndSkipsThePeriodsItMissed()
    {
        await using var cluster = await IsolatedCluster.StartAsync(silo =>
        {
            silo.UseInMemoryReminderService();
            silo.Configure<SiloOptions>(o => o.ResponseTimeout = TimeSpan.FromHours(1));
        });
        var grain = cluster.Client.GetGrain<IReminderGrain>("r-busy");
        cluster.Probe.SetFlag("r-busy/gated", true);
        await grain.Register("tick", TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        var scheduled = cluster.Time.ActiveTimerCount;

        cluster.Time.Advance(TimeSpan.FromMinutes(1));
        await cluster.Probe.WaitAsync("r-busy/tick/1");

        // Five periods pass while the first tick runs: their ticks are skipped, not queued behind it.
        cluster.Time.Advance(TimeSpan.FromMinutes(5.5));
        cluster.Probe.SetFlag("r-busy/gated", false);
        cluster.Probe.Signal("r-busy/tick-gate/1");
        await cluster.Time.WaitForActiveTimerCountAsync(scheduled).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        cluster.Time.Advance(TimeSpan.FromMinutes(0.5));
        await cluster.Probe.WaitForLogAsync("r-busy/tick-minutes", 2);
        await grain.Register("barrier", TimeSpan.FromDays(365), TimeSpan.FromDays(365));

        // The next tick keeps the period schedule: six periods after the first.
        Assert.Equal(["0", "6"], cluster.Probe.GetLog("r-busy/tick-minutes"));
    }

    [Fact]
    public async Task FakeTimeProvider_FiresTimersInDueOrder_WhenAdvanced()
    {
        var time = new FakeTimeProvider();
        var fired = new List<string>();
        using var slow = time.CreateTimer(_ => fired.Add("slow"), null, TimeSpan.FromSeconds(2.5), Timeout.InfiniteTimeSpan);
        using var fast = time.CreateTimer(_ => fired.Add("fast"), null, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1));
        var start = time.GetUtcNow();

        time.Advance(TimeSpan.FromSeconds(3));

        Assert.Equal(["fast", "fast", "slow", "fast"], fired);
        Assert.Equal(start + TimeSpan.FromSeconds(3), time.GetUtcNow());
    }

    /// <summary>
    /// Moves the clock tick by tick (first tick after 10 s, then every 20 s), waiting after each for the tick to end and
    /// the timer to be armed again, so ticks never slip. Returns the number of ticks that ran before the activation was
    /// deactivated, or <paramref name="maxTicks"/> if it never was.
    /// </summary>
    private static async Task<int> TickUntilDeactivatedAsync(IsolatedCluster cluster, string key, int scheduledTimers, int maxTicks)
    {
        var deactivated = cluster.Probe.WhenSignaled(key + "/deactivated");
        for (var n = 1; n <= maxTicks; n++)
        {
            cluster.Time.Advance(TimeSpan.FromSeconds(n == 1 ? 10 : 20));
            var tickEnded = cluster.Probe.WaitAsync($"{key}/tick-end/{n}");
            if (await Task.WhenAny(tickEnded, deactivated) == deactivated)
            {
                return n - 1;
            }

            await tickEnded;

            await cluster.Time.WaitForActiveTimerCountAsync(scheduledTimers).WaitAsync(TimeSpan.FromSeconds(20), Ct);
        }

        return maxTicks;
    }

    private static Task<IsolatedCluster> StartWithTwoMinuteCollectionAgeAsync() =>
        IsolatedCluster.StartAsync(silo => silo.Configure<SiloOptions>(o => o.CollectionAge = TimeSpan.FromMinutes(2)));
}

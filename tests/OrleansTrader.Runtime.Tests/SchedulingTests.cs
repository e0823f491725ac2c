using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

[Collection(ClusterCollection.Name)]
public sealed class SchedulingTests(ClusterFixture fixture)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly TestProbe _probe = fixture.Probe;
    private readonly IClusterClient _client = fixture.Cluster.Client;

    [Fact]
    public async Task Activation_IsSingle_WhenManyFirstCallsRace()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);

        var ids = await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => Task.Run(() => grain.GetActivationId(), Ct)));

        Assert.Single(ids.Distinct());
        Assert.Equal(1, _probe.Count(key + "/constructed"));
    }

    [Fact]
    public async Task NonReentrantGrain_DoesNotInterleave_AcrossAwaits()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var first = grain.Enter("a");
        await _probe.WaitAsync(key + "/entered/a");

        var second = grain.Enter("b");
        var whileBlocked = await grain.GetLog();
        _probe.Signal(key + "/gate/a");
        await first;
        await _probe.WaitAsync(key + "/entered/b");
        _probe.Signal(key + "/gate/b");
        await second;

        Assert.Equal(["enter a"], whileBlocked);
        Assert.Equal(["enter a", "exit a", "enter b", "exit b"], await grain.GetLog());
    }

    [Fact]
    public async Task ReentrantGrain_Interleaves_AtAwaits()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IReentrantProbeGrain>(key);
        var first = grain.Enter("a");
        await _probe.WaitAsync(key + "/entered/a");

        var second = grain.Enter("b");
        await _probe.WaitAsync(key + "/entered/b");
        _probe.Signal(key + "/gate/b");
        await second;
        _probe.Signal(key + "/gate/a");
        await first;

        Assert.Equal(["enter a", "enter b", "exit b", "exit a"], await grain.GetLog());
    }

    [Fact]
    public async Task AlwaysInterleave_RunsWhileAnotherRequestAwaits()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var blocking = grain.Enter("a");
        await _probe.WaitAsync(key + "/entered/a");

        var interleaved = grain.InterleaveEnter("i");
        await _probe.WaitAsync(key + "/entered/i");
        _probe.Signal(key + "/gate/i");
        await interleaved;
        _probe.Signal(key + "/gate/a");
        await blocking;

        Assert.Equal(["enter a", "enter i", "exit i", "exit a"], await grain.GetLog());
    }

    [Fact]
    public async Task Requests_RunWhileAnAlwaysInterleaveRequestAwaits_OneAtATime()
    {
        // As in Orleans, a running [AlwaysInterleave] call holds up no other request; the others still take turns.
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var interleaved = grain.InterleaveEnter("i");
        await _probe.WaitAsync(key + "/entered/i");

        var first = grain.Enter("a");
        await _probe.WaitAsync(key + "/entered/a");
        var second = grain.Enter("b");
        _probe.Signal(key + "/gate/a");
        await first;
        await _probe.WaitAsync(key + "/entered/b");
        _probe.Signal(key + "/gate/b");
        await second;
        _probe.Signal(key + "/gate/i");
        await interleaved;

        Assert.Equal(["enter i", "enter a", "exit a", "enter b", "exit b", "exit i"], await grain.GetLog());
    }

    [Fact]
    public async Task ReadOnlyCalls_InterleaveWithEachOther()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var first = grain.ReadEnter("r1");
        await _probe.WaitAsync(key + "/entered/r1");

        var second = grain.ReadEnter("r2");
        await _probe.WaitAsync(key + "/entered/r2");
        _probe.Signal(key + "/gate/r1");
        _probe.Signal(key + "/gate/r2");
        await Task.WhenAll(first, second);

        Assert.Equal(2, (await grain.GetLog()).Count(e => e.StartsWith("enter", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReadOnlyCalls_StillInterleave_AfterAReadOnlyAlwaysInterleaveCall()
    {
        // A method with both attributes once left the read-only count one short when it ended, so read-only calls never
        // interleaved again on that activation.
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        await grain.ReadInterleaved();

        var first = grain.ReadEnter("r1");
        await _probe.WaitAsync(key + "/entered/r1");
        var second = grain.ReadEnter("r2");
        await _probe.WaitAsync(key + "/entered/r2");
        _probe.Signal(key + "/gate/r1");
        _probe.Signal(key + "/gate/r2");
        await Task.WhenAll(first, second);

        Assert.Equal(["enter r1", "enter r2"], (await grain.GetLog()).Where(e => e.StartsWith("enter", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task ReadOnlyCallback_FromARunningRead_RunsAheadOfAQueuedWrite()
    {
        // A.ReadThroughB -> B -> A.Read: the callback may interleave with the running read, and that read waits on it. Queued
        // behind a write (which waits for that read) it stalled all three until the response timeout.
        var key = NewKey();
        var grain = _client.GetGrain<IChainAGrain>(key);
        var read = grain.ReadThroughB(key);
        await _probe.WaitAsync(key + "/read-entered");
        var write = grain.Ping();

        _probe.Signal(key + "/read-gate");

        Assert.Equal("read", await read.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        await write;
    }

    [Fact]
    public async Task ReadOnlyCall_WaitsForRunningWrite_AndWriteWaitsForRunningRead()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var write = grain.Enter("w1");
        await _probe.WaitAsync(key + "/entered/w1");
        var read = grain.ReadEnter("r1");
        var duringWrite = await grain.GetLog();
        _probe.Signal(key + "/gate/w1");
        await write;
        await _probe.WaitAsync(key + "/entered/r1");

        var secondWrite = grain.Enter("w2");
        var duringRead = await grain.GetLog();
        _probe.Signal(key + "/gate/r1");
        await read;
        await _probe.WaitAsync(key + "/entered/w2");
        _probe.Signal(key + "/gate/w2");
        await secondWrite;

        Assert.Equal(["enter w1"], duringWrite);
        Assert.Equal(["enter w1", "exit w1", "enter r1"], duringRead);
        Assert.Equal(["enter w1", "exit w1", "enter r1", "exit r1", "enter w2", "exit w2"], await grain.GetLog());
    }

    [Fact]
    public async Task ReadOnlyCall_WaitsForRunningWrite_AfterAnEarlierReadEnded()
    {
        // A read that ends must leave the count of running reads as it found it: one left over made a running write look
        // like a read, and the next read ran beside it.
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);
        var firstRead = grain.ReadEnter("r1");
        await _probe.WaitAsync(key + "/entered/r1");
        _probe.Signal(key + "/gate/r1");
        await firstRead;

        var write = grain.Enter("w");
        await _probe.WaitAsync(key + "/entered/w");
        var read = grain.ReadEnter("r2");
        var duringWrite = await grain.GetLog();
        _probe.Signal(key + "/gate/w");
        await write;
        await _probe.WaitAsync(key + "/entered/r2");
        _probe.Signal(key + "/gate/r2");
        await read;

        Assert.Equal(["enter r1", "exit r1", "enter w"], duringWrite);
        Assert.Equal(["enter r1", "exit r1", "enter w", "exit w", "enter r2", "exit r2"], await grain.GetLog());
    }

    [Fact]
    public async Task OneWayCall_CompletesBeforeTheGrainFinishes()
    {
        var key = NewKey();
        var grain = _client.GetGrain<IProbeGrain>(key);

        var call = grain.FireAndForget("f");

        Assert.True(call.IsCompletedSuccessfully);
        await _probe.WaitAsync(key + "/entered/f");
        _probe.Signal(key + "/gate/f");
    }

    [Fact]
    public async Task GrainException_FaultsCaller_AndActivationSurvives()
    {
        var grain = _client.GetGrain<IProbeGrain>(NewKey());
        var before = await grain.GetActivationId();

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => grain.Throw("boom"));

        Assert.Equal("boom", error.Message);
        Assert.Equal(before, await grain.GetActivationId());
    }

    [Fact]
    public async Task ValueTaskMethods_ReturnResults()
    {
        var grain = _client.GetGrain<IProbeGrain>(NewKey());

        var echoed = await grain.Echo(42);
        await grain.Nothing();

        Assert.Equal(42, echoed);
    }

    [Fact]
    public async Task CallCycle_ThroughNonReentrantGrains_FailsAtOnceNamingTheChain()
    {
        var key = NewKey();

        var error = await Assert.ThrowsAsync<DeadlockException>(() => _client.GetGrain<IChainAGrain>(key).CallBThenBack(key));

        Assert.Contains($"A/{key} -> B/{key} -> A/{key}", error.Message, StringComparison.Ordinal);
        Assert.Equal([GrainId.Create("A", key), GrainId.Create("B", key), GrainId.Create("A", key)], error.CallChain);
    }

    [Fact]
    public async Task CallToItself_FromANonReentrantGrain_FailsAtOnceNamingTheChain()
    {
        // A -> A: the chain's most recent caller is the target itself; the call would wait for the turn that waits on it.
        var key = NewKey();

        var error = await Assert.ThrowsAsync<DeadlockException>(
            () => _client.GetGrain<IChainAGrain>(key).CallItself().WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal([GrainId.Create("A", key), GrainId.Create("A", key)], error.CallChain);
    }

    [Fact]
    public async Task CallBack_IntoTheGrain_FromARunningAlwaysInterleaveCall_Runs()
    {
        // A.[AlwaysInterleave] -> B -> A.Ping: the interleaving call holds nothing up, so this is no cycle (as in Orleans).
        var key = NewKey();
        var grain = _client.GetGrain<IChainAGrain>(key);

        await grain.InterleavedCallBThenBack(key).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        await Assert.ThrowsAsync<DeadlockException>(() => grain.CallBThenBack(key));
    }

    [Fact]
    public async Task CallCycle_ThroughAnActivation_FailsAtOnceNamingTheChain()
    {
        // B calls C; C's OnActivateAsync calls B, which waits on C: the cycle stalled until the response timeout.
        var key = NewKey();

        var error = await Assert.ThrowsAsync<DeadlockException>(
            () => _client.GetGrain<IChainBGrain>(key).CallActivatingC(key).WaitAsync(TimeSpan.FromSeconds(10), Ct));

        Assert.Equal([GrainId.Create("B", key), GrainId.Create("C", key), GrainId.Create("B", key)], error.CallChain);
    }

    [Fact]
    public async Task RequestContext_FlowsIntoCalls_ButNotBackOut()
    {
        RequestContext.Set("user", "u1");
        try
        {
            var seen = await _client.GetGrain<IContextGrain>(NewKey()).Flow(NewKey());

            Assert.Equal(["u1", "u1", "a", null], seen);
            Assert.Null(RequestContext.Get("fromA"));
            Assert.Equal("u1", RequestContext.Get("user"));
        }
        finally
        {
            RequestContext.Clear();
        }
    }

    [Fact]
    public async Task RequestContext_IsEmpty_ForCallsWithoutValues()
    {
        Assert.Null(await _client.GetGrain<IProbeGrain>(NewKey()).GetRequestContext("user"));
    }

    [Fact]
    public async Task IncomingFilter_SeesTheCall_AndMayReplaceTheResult()
    {
        var key = "filtered-" + NewKey();

        var result = await _client.GetGrain<IFilterGrain>(key).Echo("hi");

        Assert.Equal("hi (filtered)", result);
        Assert.Equal([$"before {typeof(IFilterGrain).FullName}.Echo", "after hi"], _probe.GetLog(key));
    }

    [Fact]
    public async Task AGrainMethod_MayNameItsParametersLikeTheGeneratedProxysOwnLocal()
    {
        // The proxy once declared a local "request" beside the parameters, so a parameter of that name did not compile.
        Assert.Equal("a+b", await _client.GetGrain<IFilterGrain>(NewKey()).Join("a", "b"));
    }

    [Fact]
    public async Task GeneratedMethodId_IsStableHashOfInterfaceMethodSignature()
    {
        var key = "filtered-" + NewKey();

        await _client.GetGrain<IFilterGrain>(key).Echo("x");

        var expected = Fnv1a("global::OrleansTrader.Runtime.Tests.Grains.IFilterGrain.Echo(string)");
        Assert.Equal([expected.ToString(System.Globalization.CultureInfo.InvariantCulture)], _probe.GetLog(key + "/method-id"));
    }

    [Fact]
    public void GrainReference_ExposesItsKey()
    {
        var grain = _client.GetGrain<IProbeGrain>("020235");

        Assert.Equal("020235", grain.GetPrimaryKeyString());
        Assert.Equal(typeof(ProbeGrain).FullName, grain.GetGrainId().Type.Value);
    }

    private static string NewKey() => Guid.NewGuid().ToString("N");

    private static int Fnv1a(string text)
    {
        unchecked
        {
            var hash = 2166136261u;
            foreach (var c in text)
            {
                hash = (hash ^ c) * 16777619u;
            }

            return (int)hash;
        }
    }
}

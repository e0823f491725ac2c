namespace OrleansTrader.Runtime.Tests;

/// <summary>How a call's outcome and its caller's completion are kept apart.</summary>
public sealed class GrainRequestTests
{
    [Fact]
    public async Task ResponseTimeout_RightAfterTheTurnThrew_KeepsTheTurnsFault_ForTheEndOfTheTurn()
    {
        // The race this pins: the grain method throws an ETag conflict (kept as the turn's fault), the response timeout
        // fires before the activation ends the turn, and the end of the turn must still see the conflict to deactivate.
        var request = new NoOpRequest();
        var conflict = new InconsistentStateException("stale ETag");
        request.StoreFault(conflict);

        Assert.True(request.TryTimeOut(new TimeoutException("no response")));

        Assert.Same(conflict, request.Fault);
        await Assert.ThrowsAsync<TimeoutException>(() => request.AsValueTask().AsTask());
    }

    [Fact]
    public async Task ResponseTimeout_BeforeTheTurnEnds_LeavesNoFault_WhenTheTurnSucceeds()
    {
        var request = new NoOpRequest();

        Assert.True(request.TryTimeOut(new TimeoutException("no response")));
        request.Complete();

        Assert.Null(request.Fault);
        Assert.True(request.TimedOut);
        await Assert.ThrowsAsync<TimeoutException>(() => request.AsValueTask().AsTask());
    }

    private sealed class NoOpRequest : GrainVoidRequest
    {
        public override string InterfaceName => "Tests.INoOp";

        public override string MethodName => "Run";

        public override int MethodId => 1;

        protected override ValueTask InvokeCore(object grain) => default;
    }
}

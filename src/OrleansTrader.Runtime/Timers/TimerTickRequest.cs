namespace OrleansTrader.Runtime;

/// <summary>One timer tick, delivered to the owning activation like any request.</summary>
internal sealed class TimerTickRequest<TState>(GrainTimer<TState> timer, GrainRequestOptions options) : GrainVoidRequest
{
    public override string InterfaceName => "timer";

    public override string MethodName => "Tick";

    public override int MethodId => 0;

    public override GrainRequestOptions Options => options;

    protected override ValueTask InvokeCore(object grain) => timer.TickAsync();
}

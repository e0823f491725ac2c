namespace OrleansTrader.Runtime;

/// <summary>Runs around every grain call on the silo, in registration order. Call context.Invoke() to continue.</summary>
public interface IIncomingGrainCallFilter
{
    Task Invoke(IIncomingGrainCallContext context);
}

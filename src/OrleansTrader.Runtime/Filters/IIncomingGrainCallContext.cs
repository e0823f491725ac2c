namespace OrleansTrader.Runtime;

/// <summary>The call seen by an <see cref="IIncomingGrainCallFilter"/>.</summary>
public interface IIncomingGrainCallContext
{
    /// <summary>The grain instance being called.</summary>
    object Grain { get; }

    GrainId TargetId { get; }

    string InterfaceName { get; }

    string MethodName { get; }

    GrainRequest Request { get; }

    /// <summary>The method's result after Invoke (null for void methods); a filter may replace it.</summary>
    object? Result { get; set; }

    /// <summary>Runs the next filter, or the grain method. Throws what the grain method threw.</summary>
    Task Invoke();
}

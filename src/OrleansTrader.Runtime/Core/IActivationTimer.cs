namespace OrleansTrader.Runtime;

/// <summary>A timer owned by an activation: started on registration, stopped on deactivation.</summary>
internal interface IActivationTimer : IGrainTimer
{
    void Start();

    void Stop();
}

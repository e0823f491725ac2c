namespace OrleansTrader.Runtime;

/// <summary>State read by the runtime before OnActivateAsync.</summary>
internal interface IActivationStateLoader
{
    Task LoadAsync(CancellationToken cancellationToken);
}

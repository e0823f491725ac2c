using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace OrleansTrader.Runtime.Testing;

/// <summary>
/// One in-process silo for tests. Each (re)start runs the configurators again; storage, reminder tables and stream logs
/// the test registers as instances survive <see cref="RestartSiloAsync"/> and <see cref="KillSiloAsync"/>, which is how
/// tests prove durability. <see cref="Client"/>, and the grain references and streams it gives, outlive a restart, as in Orleans.
/// </summary>
public sealed class TestCluster : IAsyncDisposable
{
    private readonly IReadOnlyList<Action<ISiloBuilder>> _configurators;
    private readonly ClusterClient _client;
    private IHost? _host;

    // The last silo deployed, kept through its stop: a reference used during a stop or after it reaches that silo and is
    // refused as it shuts down, and one used after the next deploy reaches the new silo.
    private GrainRuntime? _runtime;

    internal TestCluster(IReadOnlyList<Action<ISiloBuilder>> configurators)
    {
        _configurators = configurators;
        _client = new ClusterClient(new GrainReferenceShared(() => _runtime ?? throw new InvalidOperationException("The cluster is not deployed.")));
    }

    /// <summary>
    /// The cluster's client. It and the grain references it gives stay usable across <see cref="RestartSiloAsync"/> and
    /// <see cref="KillAndRestartSiloAsync"/>: each call goes to the silo deployed last, and so do the streams it gives (the
    /// client's subscriptions end with the silo they were made in).
    /// </summary>
    public IClusterClient Client => _host is null ? throw new InvalidOperationException("The cluster is not deployed.") : _client;

    public IGrainFactory GrainFactory => Client;

    /// <summary>The running silo's services.</summary>
    public IServiceProvider ServiceProvider => (_host ?? throw new InvalidOperationException("The cluster is not deployed.")).Services;

    /// <summary>The grains active in the silo now (a stateless worker once per activation): what collection tests look at.</summary>
    public IReadOnlyList<GrainId> ActiveGrains() =>
        [.. ServiceProvider.GetRequiredService<GrainRuntime>().Catalog.Snapshot().Select(activation => activation.GrainId)];

    public async Task DeployAsync(CancellationToken cancellationToken = default)
    {
        if (_host is not null)
        {
            throw new InvalidOperationException("The cluster is already deployed.");
        }

        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings());
        builder.Services.AddLogging();
        builder.Services.AddMetrics();
        builder.UseOrleansTraderSilo(silo =>
        {
            foreach (var configure in _configurators)
            {
                configure(silo);
            }
        });
        var host = builder.Build();
        var runtime = host.Services.GetRequiredService<GrainRuntime>();
        runtime.ClientRuntime = () => _runtime;
        try
        {
            await host.StartAsync(cancellationToken);
        }
        catch
        {
            // A silo that failed halfway holds what it started (timers, connections, files): release it before the failure
            // reaches the test, so that a deploy after the fault is fixed finds nothing held.
            await ReleaseFailedHostAsync(host);
            throw;
        }

        _host = host;
        _runtime = runtime;
    }

    /// <summary>Stops the silo gracefully: every activation deactivates (and persists) first.</summary>
    public async Task StopAllSilosAsync(CancellationToken cancellationToken = default)
    {
        if (_host is not { } host)
        {
            return;
        }

        _host = null;
        await host.StopAsync(cancellationToken);
        host.Dispose();
    }

    /// <summary>Stops the silo gracefully and starts a new one with the same configuration.</summary>
    public async Task RestartSiloAsync(CancellationToken cancellationToken = default)
    {
        await StopAllSilosAsync(cancellationToken);
        await DeployAsync(cancellationToken);
    }

    /// <summary>Simulates a crash: activations vanish without OnDeactivateAsync, pending calls fail.</summary>
    public async Task KillSiloAsync(CancellationToken cancellationToken = default)
    {
        if (_host is not { } host)
        {
            return;
        }

        _host = null;
        await host.Services.GetRequiredService<GrainRuntime>().KillAsync();
        await host.StopAsync(cancellationToken);
        host.Dispose();
    }

    /// <summary>Kills the silo, then starts a new one with the same configuration.</summary>
    public async Task KillAndRestartSiloAsync(CancellationToken cancellationToken = default)
    {
        await KillSiloAsync(cancellationToken);
        await DeployAsync(cancellationToken);
    }

    public async ValueTask DisposeAsync() => await StopAllSilosAsync();

    private static async Task ReleaseFailedHostAsync(IHost host)
    {
        try
        {
            await host.StopAsync(CancellationToken.None);
        }
        catch (Exception)
        {
            // Best effort: the start's failure, rethrown by the caller, is the one the test must see.
        }
        finally
        {
            host.Dispose();
        }
    }
}

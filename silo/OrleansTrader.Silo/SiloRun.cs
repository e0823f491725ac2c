namespace OrleansTrader.Silo;

/// <summary>
/// Runs the host as its own RunAsync does (start, wait for the stop, dispose), except for a stop asked for while the host
/// is still starting (SIGTERM or Ctrl+C before the silo listens): RunAsync then disposed what had started without
/// stopping it. The grain runtime, already running, deactivated nothing (no OnDeactivateAsync, so the symbols' last trades
/// and the streams' checkpoints went unwritten), the execution report pump was disposed under accounts still opening
/// (the demo seeder logged an error and the demo account was left without its strategy), and the feed pump was left running.
/// </summary>
internal static class SiloRun
{
    public static async Task RunAsync(IHost host)
    {
        ArgumentNullException.ThrowIfNull(host);
        try
        {
            var stopping = host.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
            try
            {
                await host.StartAsync();
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                // The host's stop runs on every hosted service, in reverse order, within its shutdown timeout; the ones that
                // had not started yet have nothing to stop.
                await host.StopAsync();
                throw;
            }

            await host.WaitForShutdownAsync();
        }
        finally
        {
            if (host is IAsyncDisposable asyncDisposable)
            {
                await asyncDisposable.DisposeAsync();
            }
            else
            {
                host.Dispose();
            }
        }
    }
}

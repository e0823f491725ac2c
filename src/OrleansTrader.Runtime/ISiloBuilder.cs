using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime;

/// <summary>
/// What silo configuration callbacks receive. Providers register themselves as services:
/// an <see cref="IGrainStorage"/> is a keyed singleton under its provider name ("default", "sqlite", ...),
/// an <see cref="IDurableStreamLog"/> is a keyed singleton under its stream provider name ("durable"),
/// and the <see cref="IReminderTable"/> is a plain singleton.
/// </summary>
public interface ISiloBuilder
{
    IServiceCollection Services { get; }
}

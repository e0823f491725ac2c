using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime;

internal sealed class SiloBuilder(IServiceCollection services) : ISiloBuilder
{
    public IServiceCollection Services { get; } = services;
}

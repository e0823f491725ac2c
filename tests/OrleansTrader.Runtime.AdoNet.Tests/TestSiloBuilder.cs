using Microsoft.Extensions.DependencyInjection;

namespace OrleansTrader.Runtime.AdoNet.Tests;

public sealed class TestSiloBuilder(IServiceCollection services) : ISiloBuilder
{
    public IServiceCollection Services { get; } = services;
}

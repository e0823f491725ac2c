namespace OrleansTrader.Runtime;

/// <summary>A stream provider added by AddMemoryStreams or AddDurableStreams.</summary>
internal sealed record StreamProviderRegistration(
    string Name,
    MemoryStreamOptions? MemoryOptions,
    DurableStreamOptions? DurableOptions,
    Func<IServiceProvider, IDurableStreamLog>? LogFactory);

namespace OrleansTrader.Grains.Tests.Samples;

public sealed record AlertBookState
{
    public IReadOnlyList<string> Symbols { get; init => field = value ?? []; } = [];
}

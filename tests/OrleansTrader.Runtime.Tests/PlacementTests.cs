namespace OrleansTrader.Runtime.Tests;

public sealed class PlacementTests
{
    [Fact]
    public async Task LocalDirectory_KeepsFirstRegistration_UntilUnregistered()
    {
        var directory = new LocalGrainDirectory();
        var grainId = GrainId.Create("t", "k");
        var first = new GrainAddress(grainId, SiloAddress.Local);
        var second = new GrainAddress(grainId, new SiloAddress("other", 1, 1));

        var winner = await directory.RegisterAsync(first);
        var loser = await directory.RegisterAsync(second);
        await directory.UnregisterAsync(first);

        Assert.Same(first, winner);
        Assert.Same(first, loser);
        Assert.Null(await directory.LookupAsync(grainId));
    }

    [Fact]
    public void LocalPlacement_AlwaysPicksTheLocalSilo()
    {
        var placement = new LocalPlacementStrategy(SiloAddress.Local);

        Assert.Same(SiloAddress.Local, placement.PickSilo(GrainId.Create("t", "k"), [new SiloAddress("x", 1, 1)]));
    }
}

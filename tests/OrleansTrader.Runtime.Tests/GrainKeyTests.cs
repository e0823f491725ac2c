using System.Globalization;
using OrleansTrader.Runtime.Tests.Grains;

namespace OrleansTrader.Runtime.Tests;

/// <summary>Guid and integer keys: identity, canonical storage keys, and no reinterpretation of any key.</summary>
[Collection(ClusterCollection.Name)]
public sealed class GrainKeyTests(ClusterFixture fixture)
{
    private static readonly CancellationToken Ct = TestContext.Current.CancellationToken;
    private readonly IClusterClient _client = fixture.Cluster.Client;

    [Fact]
    public async Task GuidKey_SameKeyReachesSameActivation_AndAnotherKeyAnother()
    {
        var key = Guid.NewGuid();

        var first = await _client.GetGrain<IGuidCounterGrain>(key).GetActivationId();
        var again = await _client.GetGrain<IGuidCounterGrain>(key).GetActivationId();
        var other = await _client.GetGrain<IGuidCounterGrain>(Guid.NewGuid()).GetActivationId();

        Assert.Equal(first, again);
        Assert.NotEqual(first, other);
    }

    [Fact]
    public async Task IntegerKey_SameKeyReachesSameActivation_AndAnotherKeyAnother()
    {
        var key = NewLong();

        var first = await _client.GetGrain<IIntegerCounterGrain>(key).GetActivationId();
        var again = await _client.GetGrain<IIntegerCounterGrain>(key).GetActivationId();
        var negated = await _client.GetGrain<IIntegerCounterGrain>(-key).GetActivationId();

        Assert.Equal(first, again);
        Assert.NotEqual(first, negated);
    }

    [Fact]
    public async Task PrimaryKeys_ReadBackExactly_InsideGrainsAndOnReferences()
    {
        var guid = Guid.NewGuid();
        var number = -NewLong();
        var guidGrain = _client.GetGrain<IGuidCounterGrain>(guid);
        var integerGrain = _client.GetGrain<IIntegerCounterGrain>(number);

        Assert.Equal(guid, await guidGrain.GetKey());
        Assert.Equal(number, await integerGrain.GetKey());
        Assert.Equal(guid, guidGrain.GetPrimaryKey());
        Assert.Equal(number, integerGrain.GetPrimaryKeyLong());
        Assert.Equal(guid.ToString("D"), guidGrain.GetPrimaryKeyString());
        Assert.Equal(number.ToString(CultureInfo.InvariantCulture), integerGrain.GetPrimaryKeyString());
        Assert.Equal(GrainId.Create("integer-counter", number.ToString(CultureInfo.InvariantCulture)), integerGrain.GetGrainId());
    }

    [Fact]
    public async Task StorageKeys_OfGuidAndIntegerGrains_NeverMeetStringKeysOfTheSameText()
    {
        var guid = Guid.NewGuid();
        var guidText = guid.ToString("D");
        var number = NewLong();
        var numberText = number.ToString(CultureInfo.InvariantCulture);

        await _client.GetGrain<IGuidCounterGrain>(guid).Add(7);
        await _client.GetGrain<ICounterAGrain>(guidText).Add(3);
        await _client.GetGrain<IIntegerCounterGrain>(number).Add(5);
        await _client.GetGrain<ICounterAGrain>(numberText).Add(9);

        Assert.Equal(7, await _client.GetGrain<IGuidCounterGrain>(guid).Get());
        Assert.Equal(3, await _client.GetGrain<ICounterAGrain>(guidText).Get());
        Assert.Equal(5, await _client.GetGrain<IIntegerCounterGrain>(number).Get());
        Assert.Equal(9, await _client.GetGrain<ICounterAGrain>(numberText).Get());
        Assert.Equal(-1, await _client.GetGrain<ICounterAGrain>("0" + numberText).SeenInActivate());
        Assert.Equal(7, await ReadStoredValueAsync(GrainId.Create("guid-counter", guidText)));
        Assert.Equal(5, await ReadStoredValueAsync(GrainId.Create("integer-counter", numberText)));
    }

    [Fact]
    public void GetPrimaryKey_Throws_WhenTheGrainHasAnotherKeyKind()
    {
        var stringKeyed = _client.GetGrain<ICounterAGrain>(Guid.NewGuid().ToString("D"));
        var guidKeyed = _client.GetGrain<IGuidCounterGrain>(Guid.NewGuid());

        var asGuid = Assert.Throws<InvalidOperationException>(() => stringKeyed.GetPrimaryKey());
        var asLong = Assert.Throws<InvalidOperationException>(() => guidKeyed.GetPrimaryKeyLong());

        Assert.Contains("has a string key, not a guid key", asGuid.Message, StringComparison.Ordinal);
        Assert.Contains("has a guid key, not a integer key", asLong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("007")]
    [InlineData("+7")]
    [InlineData(" 7")]
    [InlineData("seven")]
    public void GetPrimaryKeyLong_RefusesNonCanonicalText(string key)
    {
        var grain = _client.GetGrain<IIntegerCounterGrain>(GrainId.Create("integer-counter", key));

        var error = Assert.Throws<InvalidOperationException>(() => grain.GetPrimaryKeyLong());

        Assert.Contains("not a canonical integer key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GetPrimaryKey_RefusesNonCanonicalGuidText()
    {
        var upper = Guid.NewGuid().ToString("D").ToUpperInvariant();
        var grain = _client.GetGrain<IGuidCounterGrain>(GrainId.Create("guid-counter", upper));

        var error = Assert.Throws<InvalidOperationException>(() => grain.GetPrimaryKey());

        Assert.Contains("not a canonical Guid key", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void KeyKind_OfAClassMixingKeyKinds_IsRefused()
    {
        var error = Assert.Throws<InvalidOperationException>(() => GrainKeys.KindOf(typeof(MixedKeyClass)));

        Assert.Contains("different key kinds (String, Guid)", error.Message, StringComparison.Ordinal);
        Assert.Equal(GrainKeyKind.Guid, GrainKeys.KindOf(typeof(GuidCounterGrain)));
        Assert.Equal(GrainKeyKind.Integer, GrainKeys.KindOf(typeof(IntegerCounterGrain)));
        Assert.Equal(GrainKeyKind.String, GrainKeys.KindOf(typeof(CounterAGrain)));
    }

    [Fact]
    public async Task GuidKeyedGrain_PersistsState_AcrossSiloRestart()
    {
        await using var cluster = await IsolatedCluster.StartAsync();
        var key = Guid.NewGuid();
        await cluster.Client.GetGrain<IGuidCounterGrain>(key).Add(5);
        await cluster.Client.GetGrain<IGuidCounterGrain>(key).AddLater(2);

        await cluster.Cluster.RestartSiloAsync(Ct);
        var grain = cluster.Client.GetGrain<IGuidCounterGrain>(key);

        Assert.Equal(7, await grain.SeenInActivate());
        Assert.Equal(8, await grain.Add(1));
        var stored = new GrainState<CounterState>(new CounterState());
        await cluster.Storage.ReadStateAsync("counter", GrainId.Create("guid-counter", key.ToString("D")), stored, Ct);
        Assert.Equal(8, stored.State.Value);
    }

    private static long NewLong() => Random.Shared.NextInt64(1, long.MaxValue);

    private async Task<int> ReadStoredValueAsync(GrainId grainId)
    {
        var stored = new GrainState<CounterState>(new CounterState());
        await fixture.Storage.ReadStateAsync("counter", grainId, stored, Ct);
        return stored.State.Value;
    }
}

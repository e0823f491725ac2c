using OrleansTrader.Brokers.Tests.Fakes;

namespace OrleansTrader.Brokers.Tests.Alpaca;

/// <summary>
/// Every trading request carries the key id and the secret key as headers. HttpClient drops only an Authorization header
/// when it follows a redirect, so a followed redirect would hand Alpaca's key headers to whatever host the answer named.
/// </summary>
public sealed class AlpacaRedirectTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task ARequestAnsweredWithARedirect_IsNotFollowed_SoTheKeysStayWithTheConfiguredHost()
    {
        await using var configured = await FakeAlpacaServer.StartAsync();
        await using var elsewhere = await FakeAlpacaServer.StartAsync();
        configured.AddFault(new FakeFault("GET", "/v2/positions", FakeFaultKind.Status)
        {
            StatusCode = 302,
            Location = new Uri(elsewhere.BaseUrl, "v2/positions").AbsoluteUri,
            Times = 100,
        });
        await using var host = AlpacaTestHost.Create(configured);

        var outcome = await Record.ExceptionAsync(() => host.Client.GetPositionsAsync(Ct));

        var leaked = elsewhere.Requests.Select(r => $"{r.Method} {r.Path} with key {r.KeyHeader ?? "(none)"}");
        Assert.True(elsewhere.Requests.Count == 0, $"the host the redirect named got: {string.Join(", ", leaked)}");
        Assert.IsType<BrokerException>(outcome);
    }
}

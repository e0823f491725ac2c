using System.Net;
using System.Text;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

/// <summary>The request body limit, and X-Correlation-Id on the errors the exception handler writes (it clears the headers first).</summary>
[Collection(GatewayCollection.Name)]
public sealed class ProtectionLayerTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task ABodyOverTheLimit_IsA413Problem_WhenItsLengthIsDeclared()
    {
        var account = await Host.CreateAccountAsync();
        using var request = Host.Request(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, OversizedOrder());
        request.Headers.Add("X-Correlation-Id", "corr-413-declared");

        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["corr-413-declared"], CorrelationIds(response));
    }

    [Fact]
    public async Task ABodyOverTheLimit_IsA413Problem_WhenItIsChunked()
    {
        var account = await Host.CreateAccountAsync();
        using var request = Host.Request(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey);
        request.Content = new UnknownLengthContent(Encoding.UTF8.GetBytes(OversizedOrder()), "application/json");
        request.Headers.Add("X-Correlation-Id", "corr-413-chunked");

        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.True(response.StatusCode == HttpStatusCode.RequestEntityTooLarge, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["corr-413-chunked"], CorrelationIds(response));
    }

    [Fact]
    public async Task MalformedJson_IsA400Problem_CarryingTheCorrelationId()
    {
        var account = await Host.CreateAccountAsync();
        using var request = Host.Request(HttpMethod.Post, $"/api/accounts/{account}/orders", Host.AdminKey, "{\"symbol\": ");
        request.Headers.Add("X-Correlation-Id", "corr-400-json");

        using var response = await Host.Client.SendAsync(request, TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal(["corr-400-json"], CorrelationIds(response));
    }

    private static string[] CorrelationIds(HttpResponseMessage response) =>
        response.Headers.TryGetValues("X-Correlation-Id", out var values) ? [.. values] : [];

    // Well-formed JSON for the route (one oversized field), far over the 16 KiB default limit.
    private static string OversizedOrder() =>
        $$"""{"clientOrderId":"{{new string('a', 64 * 1024)}}","symbol":"AAPL","side":"buy","type":"market","quantity":1,"timeInForce":"day"}""";

    /// <summary>A body without Content-Length, as a chunked upload sends it.</summary>
    private sealed class UnknownLengthContent : HttpContent
    {
        private readonly byte[] _bytes;

        public UnknownLengthContent(byte[] bytes, string mediaType)
        {
            _bytes = bytes;
            Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(mediaType);
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(_bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }
}

using System.Net;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using OrleansTrader.Gateway.Tests.Infrastructure;

namespace OrleansTrader.Gateway.Tests;

[Collection(GatewayCollection.Name)]
public sealed class OpenApiAndMetricsTests(GatewayFixture fixture)
{
    private GatewayHost Host => fixture.Host;

    [Fact]
    public async Task OpenApiDocument_ListsEveryMappedRoute()
    {
        var document = await Host.SendJsonAsync(HttpMethod.Get, "/openapi/v1.json", Host.AdminKey, null, HttpStatusCode.OK);
        var paths = document.GetProperty("paths");
        Assert.Equal("http", document.GetProperty("components").GetProperty("securitySchemes").GetProperty("bearer").GetProperty("type").GetString());
        var routes = Host.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => !e.RoutePattern.RawText!.StartsWith("/openapi", StringComparison.Ordinal)
                && !e.RoutePattern.RawText.StartsWith("/health", StringComparison.Ordinal))
            .ToList();
        Assert.True(routes.Count >= 30);

        foreach (var route in routes)
        {
            var path = "/" + route.RoutePattern.RawText!.Trim('/');
            Assert.True(paths.TryGetProperty(path, out var item), $"{path} is missing from the OpenAPI document");
            foreach (var method in route.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods)
            {
                Assert.True(item.TryGetProperty(method.ToLowerInvariant(), out _), $"{method} {path} is missing from the OpenAPI document");
            }
        }
    }

    [Fact]
    public async Task Metrics_ExposeGatewayCountersInPrometheusText_WithoutAKey()
    {
        using (await Host.SendAsync(HttpMethod.Get, "/api/accounts/none-such", Host.AdminKey))
        {
        }

        using var response = await Host.SendAsync(HttpMethod.Get, "/metrics", null);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/plain", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("# TYPE orleanstrader_gateway_http_requests_total counter", text, StringComparison.Ordinal);
        Assert.Contains("orleanstrader_gateway_http_requests_total{method=\"GET\",route=\"/api/accounts/{accountId}\",status=\"404\"}", text, StringComparison.Ordinal);
        Assert.Contains("# TYPE orleanstrader_gateway_http_duration histogram", text, StringComparison.Ordinal);
    }
}

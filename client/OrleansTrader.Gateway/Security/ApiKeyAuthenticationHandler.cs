using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

namespace OrleansTrader.Gateway.Security;

/// <summary>"Authorization: Bearer &lt;key&gt;": the key id is derived, the record fetched (cached) and the hash compared in constant time.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyCache keys) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string BearerPrefix = "Bearer ";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var header = Request.Headers[HeaderNames.Authorization];
        if (header.Count == 0)
        {
            return AuthenticateResult.NoResult();
        }

        var value = header.Count == 1 ? header[0] : null;
        if (value is null || !value.StartsWith(BearerPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return AuthenticateResult.Fail("The Authorization header is not a bearer key.");
        }

        var key = value[BearerPrefix.Length..].Trim();
        if (!ApiKeyHasher.IsPlausible(key))
        {
            return AuthenticateResult.Fail("The key is malformed.");
        }

        var record = await keys.GetAsync(ApiKeyHasher.DeriveId(key));
        if (record is null || !record.IsActive || !ApiKeyHasher.Verify(key, record))
        {
            return AuthenticateResult.Fail("The key is unknown or revoked.");
        }

        return AuthenticateResult.Success(new AuthenticationTicket(GatewayClaims.ToPrincipal(record), GatewayClaims.Scheme));
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Task.CompletedTask;
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// "Authorization: Bearer &lt;key&gt;": the key id is derived, the record fetched (cached) and the hash compared in constant
/// time. A key not cached is looked up only while the client address has more failed lookups left than lookups in flight
/// (<see cref="FailedKeyLookupThrottle"/>); past that the challenge is 429, not 401. The lookup itself waits for a place
/// (<see cref="KeyLookupSlots"/>); with none the challenge is 503 OVERLOADED. A request whose key another request is
/// looking up waits for that answer (<see cref="ApiKeyCache.BeginLookup"/>) instead of a lookup of its own.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder,
    ApiKeyCache keys,
    FailedKeyLookupThrottle failedLookups,
    KeyLookupSlots lookupPlaces) : AuthenticationHandler<AuthenticationSchemeOptions>(options, loggerFactory, encoder)
{
    private const string BearerPrefix = "Bearer ";

    // Set when this request's key was refused unlooked-up because its address ran out of failed lookups (or has as many in flight).
    private bool _throttled;
    private TimeSpan? _retryAfter;

    // Set when this request's key was not looked up because no lookup place came free (Diagnostics.RequestSlots' refusal).
    private string? _shed;

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

        var keyId = ApiKeyHasher.DeriveId(key);
        if (keys.TryGetCached(keyId, out var record))
        {
            return Usable(key, record) ? Success(record) : AuthenticateResult.Fail("The key is unknown or revoked.");
        }

        while (true)
        {
            var lookup = keys.BeginLookup(keyId, out var running);
            if (lookup is null)
            {
                try
                {
                    record = await running!.WaitAsync(Context.RequestAborted);
                    return Usable(key, record) ? Success(record) : AuthenticateResult.Fail("The key is unknown or revoked.");
                }
                catch (OperationCanceledException) when (!Context.RequestAborted.IsCancellationRequested)
                {
                    // The request running it got no answer: this one looks the key up itself.
                    continue;
                }
            }

            using (lookup)
            {
                return await LookUpAsync(key, keyId, lookup);
            }
        }
    }

    /// <summary>Looks a key not cached up in the registry, within its address's budget and a lookup place.</summary>
    private async Task<AuthenticateResult> LookUpAsync(string key, string keyId, ApiKeyCache.RunningKeyLookup lookup)
    {
        var address = TradingGatewayExtensions.ClientAddress(Context);
        if (!failedLookups.TryStartLookup(address, out _retryAfter))
        {
            _throttled = true;
            return AuthenticateResult.Fail("Too many failed key lookups from this address, or lookups of its still running.");
        }

        var failed = false;
        try
        {
            var (place, refusal) = await lookupPlaces.AcquireAsync(Context.RequestAborted);
            if (place is null)
            {
                _shed = refusal is null ? null : "key_lookup_" + refusal;
                return AuthenticateResult.Fail("No key lookup place came free.");
            }

            ApiKeyRecord? record;
            using (place)
            {
                record = await keys.GetAsync(keyId);
            }

            lookup.Answered(record);
            if (Usable(key, record))
            {
                return Success(record);
            }

            failed = true;
            return AuthenticateResult.Fail("The key is unknown or revoked.");
        }
        finally
        {
            failedLookups.EndLookup(address, failed);
        }
    }

    protected override Task HandleChallengeAsync(AuthenticationProperties properties)
    {
        if (_throttled)
        {
            return TradingGatewayExtensions.TooManyRequestsAsync(Context, _retryAfter, "key-lookups").AsTask();
        }

        if (_shed is not null)
        {
            return Diagnostics.LoadSheddingMiddleware.RefuseAsync(Context, _shed);
        }

        Response.StatusCode = StatusCodes.Status401Unauthorized;
        Response.Headers[HeaderNames.WWWAuthenticate] = "Bearer";
        return Task.CompletedTask;
    }

    private static bool Usable(string key, [NotNullWhen(true)] ApiKeyRecord? record) =>
        record is not null && record.IsActive && ApiKeyHasher.Verify(key, record);

    private static AuthenticateResult Success(ApiKeyRecord record) =>
        AuthenticateResult.Success(new AuthenticationTicket(GatewayClaims.ToPrincipal(record), GatewayClaims.Scheme));
}

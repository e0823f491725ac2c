using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>API keys (admin): issue one (the key is in the answer once, stored only as a salted hash), list them, revoke one.</summary>
public static class KeysApi
{
    /// <summary>409: the registry holds its maximum of active keys; revoking keys makes room (retrying alone never does).</summary>
    public const string KeyLimit = "KEY_LIMIT";

    /// <summary>409: the new key's id is taken (a 64-bit id derived from 256 random bits); a retry generates another.</summary>
    public const string KeyIdTaken = "KEY_ID_TAKEN";

    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/keys").WithTags("Keys").AddEndpointFilter<RouteValuesFilter>()
            .RequireAuthorization(GatewayPolicies.Admin);
        group.MapPost("", IssueAsync).WithName("IssueApiKey").WithSummary("Issues a key; the answer shows it once.").NoStore();
        group.MapGet("", ListAsync).WithName("ListApiKeys")
            .WithSummary("The keys, the most recently revoked ones included (older revoked ones are forgotten), in key id order; limit, after (a key id).");
        group.MapDelete("/{keyId}", RevokeAsync).ExemptFromLoadShedding().WithName("RevokeApiKey").WithSummary("Revokes a key.");
        return endpoints;
    }

    internal static async Task<Results<Created<IssuedApiKey>, ValidationProblem, ProblemHttpResult>> IssueAsync(
        IssueApiKeyRequest request, IGrainFactory grains, TimeProvider time, ClaimsPrincipal user)
    {
        var errors = new ValidationErrors();
        if (RequestMapping.ToKey(request, errors) is not { } key)
        {
            return ApiProblems.Invalid(errors);
        }

        var plain = ApiKeyHasher.Generate();
        var record = ApiKeyHasher.CreateRecord(plain, key.Name, key.Roles, key.Accounts, user.KeyId() ?? "unknown", time.GetUtcNow());
        var registry = grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default);
        if (!await registry.AddAsync(record))
        {
            // Refused for a taken id (a retry gets past it) or a registry full of active keys (only revoking keys does).
            return await registry.GetAsync(record.KeyId) is not null
                ? ApiProblems.Conflict("The generated key id is taken; try again.", KeyIdTaken)
                : ApiProblems.Conflict(
                    "The key registry holds its maximum of active keys (Trading:ApiKeys:MaxActiveKeys): revoke keys no longer used (DELETE /api/keys/{keyId}), then issue again.",
                    KeyLimit);
        }

        return TypedResults.Created($"/api/keys/{record.KeyId}", new IssuedApiKey
        {
            KeyId = record.KeyId,
            Key = plain,
            Name = record.Name,
            Roles = record.Roles,
            Accounts = record.Accounts,
            CreatedAt = record.CreatedAt,
        });
    }

    internal static async Task<Results<Ok<IReadOnlyList<ApiKeyInfo>>, ValidationProblem>> ListAsync(IGrainFactory grains, int? limit, string? after)
    {
        if (Paging.Check(null, limit, "after") is { } invalid)
        {
            return invalid;
        }

        if (after is not null && !Rules.IsId(after))
        {
            return ApiProblems.Invalid("after", "Must be a key id.");
        }

        var keys = await grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default).ListAsync(after, limit ?? Paging.DefaultLimit);
        return TypedResults.Ok<IReadOnlyList<ApiKeyInfo>>([.. keys.Select(k => new ApiKeyInfo
        {
            KeyId = k.KeyId,
            Name = k.Name,
            Roles = k.Roles,
            Accounts = k.Accounts,
            CreatedAt = k.CreatedAt,
            CreatedBy = k.CreatedBy,
            RevokedAt = k.RevokedAt,
        })]);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string keyId, IGrainFactory grains, ApiKeyCache cache)
    {
        var found = await grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default).RevokeAsync(keyId);
        cache.Invalidate(keyId);
        return found ? TypedResults.NoContent() : ApiProblems.NotFound($"Key {keyId} does not exist.", "KEY_NOT_FOUND");
    }
}

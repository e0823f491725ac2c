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
    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/keys").WithTags("Keys").AddEndpointFilter<RouteValuesFilter>()
            .RequireAuthorization(GatewayPolicies.Admin);
        group.MapPost("", IssueAsync).WithName("IssueApiKey").WithSummary("Issues a key; the answer shows it once.");
        group.MapGet("", ListAsync).WithName("ListApiKeys").WithSummary("The keys, revoked ones included, oldest first; limit, after (a key id).");
        group.MapDelete("/{keyId}", RevokeAsync).WithName("RevokeApiKey").WithSummary("Revokes a key.");
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
        if (!await grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default).AddAsync(record))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The key could not be stored (registry full or id collision); try again.");
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

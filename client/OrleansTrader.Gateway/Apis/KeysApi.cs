using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// API keys (admin): issue one (the key is in the answer once, stored only as a salted hash), list them, revoke one. A
/// request retried with its clientKeyId replaces the key it issued before: the secret is stored only hashed, so it cannot
/// be answered again, and a second key beside the first would leave an unused one working.
/// </summary>
public static class KeysApi
{
    /// <summary>409: the registry holds its maximum of active keys; revoking keys makes room (retrying alone never does).</summary>
    public const string KeyLimit = ApiKeyIssueResult.KeyLimit;

    /// <summary>409: the new key's id is taken (a 64-bit id derived from 256 random bits); a retry generates another.</summary>
    public const string KeyIdTaken = ApiKeyIssueResult.KeyIdTaken;

    /// <summary>409: the request's clientKeyId is held by a key of another name, roles or accounts, or by a revoked key.</summary>
    public const string ClientKeyIdReused = ApiKeyIssueResult.ClientKeyIdReused;

    public static IEndpointRouteBuilder MapKeysApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/keys").WithTags("Keys").AddEndpointFilter<RouteValuesFilter>()
            .RequireAuthorization(GatewayPolicies.Admin);
        group.MapPost("", IssueAsync).WithName("IssueApiKey")
            .WithSummary("Issues a key; the answer shows it once. A repeat with the same clientKeyId replaces the key it issued (200).").NoStore();
        group.MapGet("", ListAsync).WithName("ListApiKeys")
            .WithSummary("The keys, the most recently revoked ones included (older revoked ones are forgotten), in key id order; limit, after (a key id).");
        group.MapDelete("/{keyId}", RevokeAsync).ExemptFromLoadShedding().WithName("RevokeApiKey").WithSummary("Revokes a key.");
        return endpoints;
    }

    internal static async Task<Results<Created<IssuedApiKey>, Ok<IssuedApiKey>, ValidationProblem, ProblemHttpResult>> IssueAsync(
        IssueApiKeyRequest request, IGrainFactory grains, TimeProvider time, ClaimsPrincipal user, ApiKeyCache cache)
    {
        var errors = new ValidationErrors();
        // The same rule as a transfer's client-chosen id (1 to 64 letters, digits, '-', '_', '.').
        if (request.ClientKeyId is not null && CashTransferRules.TransferIdProblem(request.ClientKeyId) is { } clientKeyIdProblem)
        {
            errors.Add("clientKeyId", clientKeyIdProblem);
        }

        if (RequestMapping.ToKey(request, errors) is not { } key)
        {
            return ApiProblems.Invalid(errors);
        }

        var plain = ApiKeyHasher.Generate();
        var record = ApiKeyHasher.CreateRecord(plain, key.Name, key.Roles, key.Accounts, user.KeyId() ?? "unknown", time.GetUtcNow())
            with { ClientKeyId = request.ClientKeyId };
        var result = await grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default).IssueAsync(record);
        if (!result.Issued)
        {
            return ApiProblems.Conflict(result.Message ?? result.ErrorCode!, result.ErrorCode!);
        }

        var issued = new IssuedApiKey
        {
            KeyId = record.KeyId,
            Key = plain,
            Name = record.Name,
            Roles = record.Roles,
            Accounts = record.Accounts,
            CreatedAt = record.CreatedAt,
            ClientKeyId = record.ClientKeyId,
        };
        if (result.ReplacedKeyId is { } replaced)
        {
            // As for a revoke: this gateway must not keep accepting the replaced key from its cache.
            cache.Invalidate(replaced);
            return TypedResults.Ok(issued);
        }

        return TypedResults.Created($"/api/keys/{record.KeyId}", issued);
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
            ClientKeyId = k.ClientKeyId,
        })]);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(string keyId, IGrainFactory grains, ApiKeyCache cache)
    {
        var found = await grains.GetGrain<IApiKeyRegistryGrain>(ApiKeyRegistryKeys.Default).RevokeAsync(keyId);
        cache.Invalidate(keyId);
        return found ? TypedResults.NoContent() : ApiProblems.NotFound($"Key {keyId} does not exist.", "KEY_NOT_FOUND");
    }
}

using Microsoft.AspNetCore.Http.HttpResults;
using OrleansTrader.Gateway.Contracts;
using OrleansTrader.Gateway.Security;
using OrleansTrader.Gateway.Validation;
using OrleansTrader.Grains.Abstractions;
using OrleansTrader.Runtime;

namespace OrleansTrader.Gateway.Apis;

/// <summary>
/// Webhooks of an account (admin: a webhook sends the account's events to any URL, and its secret signs them): create,
/// list, get, resume, delete. Delivery is described in docs/api.md, "Webhooks".
/// </summary>
public static class WebhooksApi
{
    public const int MaxDescriptionLength = 200;

    /// <summary>How long a rotated-out secret keeps signing when the request does not say: a day to roll out the receiver.</summary>
    public static readonly TimeSpan DefaultPreviousSecretValidity = TimeSpan.FromDays(1);

    public static IEndpointRouteBuilder MapWebhooksApi(this IEndpointRouteBuilder endpoints)
    {
        var group = endpoints.MapGroup("/api/accounts/{accountId}/webhooks").WithTags("Webhooks").AddEndpointFilter<RouteValuesFilter>()
            .RequireAuthorization(GatewayPolicies.Admin);
        group.MapPost("", CreateAsync).WithName("CreateWebhook")
            .WithSummary("POSTs the account's events (all, or the kinds given) to a URL, signed, in order, at least once (admin); the answer holds the signing secret, shown once.").NoStore();
        group.MapGet("", ListAsync).WithName("ListWebhooks").WithSummary("The account's webhooks and where their delivery stands (admin).");
        group.MapGet("/{webhookId}", GetAsync).WithName("GetWebhook").WithSummary("One webhook and where its delivery stands (admin).");
        group.MapPost("/{webhookId}/resume", ResumeAsync).WithName("ResumeWebhook")
            .WithSummary("Delivers again from the first undelivered event: a disabled webhook resumes, a waiting one tries now (admin).");
        group.MapPost("/{webhookId}/rotate-secret", RotateSecretAsync).WithName("RotateWebhookSecret")
            .WithSummary("Replaces the signing secret, shown once; the old one keeps signing beside it for previousSecretValidForSeconds (default a day) (admin).").NoStore();
        group.MapDelete("/{webhookId}", DeleteAsync).WithName("DeleteWebhook").WithSummary("Stops delivery and forgets the webhook (admin).");
        return endpoints;
    }

    internal static async Task<Results<Created<CreatedWebhook>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        string accountId, CreateWebhookRequest request, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        if (request.WebhookId is not null)
        {
            Rules.RequireId(errors, "webhookId", request.WebhookId);
        }

        if (request.Url is null)
        {
            errors.Add("url", "Required: the http or https URL the events are POSTed to.");
        }

        var kinds = RequestMapping.ToWebhookKinds(request, errors);
        Rules.RequireText(errors, "description", request.Description, MaxDescriptionLength, required: false);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Invalid(errors);
        }

        var webhookId = request.WebhookId ?? "wh-" + Guid.NewGuid().ToString("N")[..12];
        var result = await Webhook(grains, accountId, webhookId).CreateAsync(
            new CreateWebhook { Url = request.Url!, Kinds = kinds, Description = request.Description });
        if (result is { Succeeded: true, Status: { } status, Secret: { } secret })
        {
            return TypedResults.Created($"/api/accounts/{accountId}/webhooks/{webhookId}", new CreatedWebhook(status, secret));
        }

        return result.Field is { } field ? ApiProblems.Invalid(field, result.Message!) : ApiProblems.FromCode(result.ErrorCode!, result.Message);
    }

    internal static async Task<Results<Ok<IReadOnlyList<WebhookStatus>>, ProblemHttpResult>> ListAsync(string accountId, IGrainFactory grains)
    {
        if (await grains.GetGrain<IAccountGrain>(accountId).GetRiskLimitsAsync() is null)
        {
            return ApiProblems.AccountNotFound(accountId);
        }

        var ids = await grains.GetGrain<IWebhookDirectoryGrain>(accountId).ListAsync();
        var statuses = await Task.WhenAll(ids.Select(id => Webhook(grains, accountId, id).GetStatusAsync()));
        return TypedResults.Ok<IReadOnlyList<WebhookStatus>>([.. statuses.OfType<WebhookStatus>()]);
    }

    internal static async Task<Results<Ok<WebhookStatus>, ProblemHttpResult>> GetAsync(string accountId, string webhookId, IGrainFactory grains) =>
        await Webhook(grains, accountId, webhookId).GetStatusAsync() is { } status
            ? TypedResults.Ok(status)
            : await ApiProblems.MissingUnderAccountAsync(grains, accountId,
                ApiProblems.NotFound($"Webhook {webhookId} does not exist in account {accountId}.", WebhookErrorCodes.NotFound));

    internal static async Task<Results<Ok<WebhookStatus>, ProblemHttpResult>> ResumeAsync(string accountId, string webhookId, IGrainFactory grains)
    {
        var result = await Webhook(grains, accountId, webhookId).ResumeAsync();
        return result is { Succeeded: true, Status: { } status } ? TypedResults.Ok(status) : await ProblemAsync(grains, accountId, result.ErrorCode!, result.Message);
    }

    internal static async Task<Results<Ok<CreatedWebhook>, ValidationProblem, ProblemHttpResult>> RotateSecretAsync(
        string accountId, string webhookId, RotateWebhookSecretRequest? request, IGrainFactory grains)
    {
        var errors = new ValidationErrors();
        var seconds = request?.PreviousSecretValidForSeconds;
        Rules.RequireRange(errors, "previousSecretValidForSeconds", seconds, 0, (decimal)WebhookLimits.MaxPreviousSecretValidity.TotalSeconds);
        if (!errors.IsEmpty)
        {
            return ApiProblems.Invalid(errors);
        }

        var validFor = seconds is { } s ? TimeSpan.FromSeconds(s) : DefaultPreviousSecretValidity;
        var result = await Webhook(grains, accountId, webhookId).RotateSecretAsync(validFor);
        if (result is { Succeeded: true, Status: { } status, Secret: { } secret })
        {
            return TypedResults.Ok(new CreatedWebhook(status, secret));
        }

        return result.Field is { } field ? ApiProblems.Invalid(field, result.Message!) : await ProblemAsync(grains, accountId, result.ErrorCode!, result.Message);
    }

    internal static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string accountId, string webhookId, IGrainFactory grains)
    {
        var result = await Webhook(grains, accountId, webhookId).DeleteAsync();
        return result.Succeeded ? TypedResults.NoContent() : await ProblemAsync(grains, accountId, result.ErrorCode!, result.Message);
    }

    private static Task<ProblemHttpResult> ProblemAsync(IGrainFactory grains, string accountId, string code, string? message) =>
        ApiProblems.FromCodeUnderAccountAsync(grains, accountId, WebhookErrorCodes.NotFound, code, message);

    private static IWebhookGrain Webhook(IGrainFactory grains, string accountId, string webhookId) =>
        grains.GetGrain<IWebhookGrain>(WebhookKey.Create(accountId, webhookId));
}

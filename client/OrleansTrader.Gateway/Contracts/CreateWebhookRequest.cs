using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Contracts;

/// <summary>POST .../webhooks: where to POST the account's events, and which kinds (all when omitted or empty).</summary>
public sealed record CreateWebhookRequest
{
    /// <summary>Your id for the webhook; one is made when omitted.</summary>
    public string? WebhookId { get; init; }

    [RequiredField]
    public string? Url { get; init; }

    /// <summary>Event kinds by name (<see cref="AccountEventKind"/>), any case; numbers are refused.</summary>
    [AcceptedValues(typeof(AccountEventKind))]
    public IReadOnlyList<string>? Kinds { get; init; }

    public string? Description { get; init; }
}

using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Options;

namespace OrleansTrader.Grains.Webhooks;

/// <summary>How one webhook request ended.</summary>
internal sealed record WebhookAttempt(bool Delivered, string? Error, TimeSpan? RetryAfter)
{
    public static WebhookAttempt Success { get; } = new(true, null, null);

    /// <summary>The receiver answered 410 Gone: its endpoint is gone for good, and asking again only repeats the answer.</summary>
    public bool Gone { get; init; }
}

/// <summary>
/// Sends one signed webhook request. Never throws for the receiver's failures: a non-2xx answer (redirects included, they
/// are not followed), a timeout, a network error or an address <see cref="WebhookAddressPolicy"/> refuses is a failed
/// attempt with its reason.
/// </summary>
/// <remarks>
/// Retries are the webhook grain's, not a resilience pipeline's: they are spread over hours, must survive a restart and
/// must not hold up anything else, so the grain keeps the schedule in its state and this sends one request per attempt.
/// </remarks>
internal sealed class WebhookSender(IHttpClientFactory clients, TimeProvider time, IOptions<WebhookOptions> options)
{
    public const string HttpClientName = "webhooks";
    public const string SignatureHeader = "OrleansTrader-Signature";
    public const string WebhookIdHeader = "OrleansTrader-Webhook-Id";
    public const string DeliveryIdHeader = "OrleansTrader-Delivery-Id";

    /// <summary>
    /// The longest error an attempt reports. The receiver writes part of it (a reason phrase, an invalid status line), and
    /// it is stored with the webhook, logged at every failure and shown by every read: not the 64 KiB a response's headers may take.
    /// </summary>
    internal const int MaxErrorLength = 300;

    public async Task<WebhookAttempt> SendAsync(string url, IReadOnlyList<string> secrets, WebhookDelivery delivery)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(delivery, WebhookJsonContext.Default.WebhookDelivery);
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.UserAgent.Add(new ProductInfoHeaderValue("OrleansTrader-Webhooks", "1"));
        request.Headers.Add(WebhookIdHeader, delivery.WebhookId);
        request.Headers.Add(DeliveryIdHeader, delivery.DeliveryId);
        request.Headers.Add(SignatureHeader, Sign(secrets, time.GetUtcNow().ToUnixTimeSeconds(), body));
        using var timeout = new CancellationTokenSource(options.Value.Timeout, time);
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            if (response.IsSuccessStatusCode)
            {
                return WebhookAttempt.Success;
            }

            var status = (int)response.StatusCode;
            var retryAfter = response.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable ? RetryAfter(response.Headers.RetryAfter) : null;
            return new WebhookAttempt(false, Cut($"HTTP {status.ToString(CultureInfo.InvariantCulture)} {response.ReasonPhrase}".TrimEnd()), retryAfter)
            {
                Gone = response.StatusCode == HttpStatusCode.Gone,
            };
        }
        catch (OperationCanceledException) when (timeout.IsCancellationRequested)
        {
            return new WebhookAttempt(false, $"No answer within {options.Value.Timeout.TotalSeconds.ToString(CultureInfo.InvariantCulture)} s.", null);
        }
        catch (HttpRequestException ex) when (ex.InnerException is WebhookAddressRefusedException refused)
        {
            // The policy's own words, without the handler's wrapping: they name the setting that allows the address.
            return new WebhookAttempt(false, refused.Message, null);
        }
        catch (HttpRequestException ex)
        {
            return new WebhookAttempt(false, Cut(WithCauses(ex)), null);
        }
    }

    /// <summary>
    /// "t=unix seconds,v1=hex HMAC-SHA256", one v1 per secret (two while a rotated-out secret is still valid): the key is
    /// the secret's UTF-8 bytes, the message "t." followed by the body.
    /// </summary>
    public static string Sign(IReadOnlyList<string> secrets, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var timestamp = unixSeconds.ToString(CultureInfo.InvariantCulture);
        var prefix = Encoding.UTF8.GetBytes(timestamp + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        var header = new StringBuilder("t=").Append(timestamp);
        foreach (var secret in secrets)
        {
            header.Append(",v1=").Append(Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message)));
        }

        return header.ToString();
    }

    /// <summary>A new signing secret: 32 random bytes, base64url, with a prefix that says what it is.</summary>
    public static string NewSecret() =>
        "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    /// <summary>
    /// The exception's message and those of its causes that it does not already say: the client's own message for a
    /// connection the receiver closed, or an answer that is not HTTP, is only "An error occurred while sending the request.".
    /// </summary>
    private static string WithCauses(Exception ex)
    {
        var text = new StringBuilder(ex.Message);
        for (var cause = ex.InnerException; cause is not null && text.Length < MaxErrorLength; cause = cause.InnerException)
        {
            if (!text.ToString().Contains(cause.Message, StringComparison.Ordinal))
            {
                text.Append(' ').Append(cause.Message);
            }
        }

        return text.ToString();
    }

    private static string Cut(string error) => error.Length <= MaxErrorLength ? error : string.Concat(error.AsSpan(0, MaxErrorLength - 3), "...");

    private TimeSpan? RetryAfter(RetryConditionHeaderValue? header)
    {
        var wait = header?.Delta ?? (header?.Date is { } date ? date - time.GetUtcNow() : null);
        if (wait is not { } value)
        {
            return null;
        }

        var max = options.Value.MaxRetryAfter;
        return value < TimeSpan.Zero ? TimeSpan.Zero : value > max ? max : value;
    }
}

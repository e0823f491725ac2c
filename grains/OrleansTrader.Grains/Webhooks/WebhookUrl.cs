namespace OrleansTrader.Grains.Webhooks;

/// <summary>What a webhook may be sent to.</summary>
internal static class WebhookUrl
{
    public const int MaxLength = 2048;

    /// <summary>Null when <paramref name="url"/> is an absolute http(s) URL without credentials or fragment; else why not.</summary>
    public static string? Check(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return "Required: the http or https URL the events are POSTed to.";
        }

        if (url.Length > MaxLength)
        {
            return $"At most {MaxLength} characters.";
        }

        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
        {
            return "Must be an absolute http or https URL.";
        }

        // The URL is shown to every reader of the webhook; a password in it would be too. Requests are signed instead.
        if (uri.UserInfo.Length > 0)
        {
            return "Must not hold a user name or password: verify the signature header instead.";
        }

        return uri.Fragment.Length > 0 ? "Must not have a fragment (#...)." : null;
    }
}

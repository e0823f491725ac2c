using System.Text.Json.Serialization;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>The outcome of <see cref="IApiKeyRegistryGrain.IssueAsync"/>: issued, or refused with an error code and why.</summary>
public sealed record ApiKeyIssueResult
{
    /// <summary>The new key's id is taken (a 64-bit id derived from 256 random bits); another key gets past it.</summary>
    public const string KeyIdTaken = "KEY_ID_TAKEN";

    /// <summary>The registry holds its maximum of active keys; revoking keys makes room (retrying alone never does).</summary>
    public const string KeyLimit = "KEY_LIMIT";

    /// <summary>The client key id is held by a key of another name, roles or accounts, or by revoked keys only.</summary>
    public const string ClientKeyIdReused = "CLIENT_KEY_ID_REUSED";

    public string? ErrorCode { get; init; }

    public string? Message { get; init; }

    /// <summary>The key issued before for the same client key id, revoked by this one.</summary>
    public string? ReplacedKeyId { get; init; }

    [JsonIgnore]
    public bool Issued => ErrorCode is null;

    public static ApiKeyIssueResult Refused(string code, string message) => new() { ErrorCode = code, Message = message };
}

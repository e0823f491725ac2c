using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Security;

/// <summary>
/// API keys: "ot_" + 32 CSPRNG bytes in base64url. Only a salted SHA-256 of a key is stored. A fast hash is enough because
/// a generated key carries 256 bits of entropy (and a configured bootstrap key must be 32+ characters): guessing is hopeless
/// however fast the hash, while a slow KDF would cost CPU on every request and invite denial of service.
/// The key id is derived from the key (a separate, unsalted digest truncated to 64 bits), so lookup is O(1) without
/// storing anything that could reveal the key.
/// </summary>
internal static class ApiKeyHasher
{
    public const string Prefix = "ot_";
    public const int MaxKeyLength = 256;
    private const int SecretBytes = 32;
    private const int SaltBytes = 16;
    private static readonly byte[] IdDomain = "orleanstrader-api-key-id:"u8.ToArray();

    public static string Generate() => Prefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(SecretBytes));

    /// <summary>True when <paramref name="key"/> may be a key at all (length and charset), before any lookup.</summary>
    public static bool IsPlausible(string? key) =>
        key is { Length: >= 16 and <= MaxKeyLength } && key.All(c => c is > ' ' and <= '~');

    public static string DeriveId(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var bytes = new byte[IdDomain.Length + Encoding.UTF8.GetByteCount(key)];
        IdDomain.CopyTo(bytes, 0);
        Encoding.UTF8.GetBytes(key, bytes.AsSpan(IdDomain.Length));
        return "key_" + Convert.ToHexStringLower(SHA256.HashData(bytes), 0, 8);
    }

    public static ApiKeyRecord CreateRecord(
        string key, string name, IReadOnlyList<string> roles, IReadOnlyList<string> accounts, string createdBy, DateTimeOffset now)
    {
        var salt = RandomNumberGenerator.GetBytes(SaltBytes);
        return new ApiKeyRecord
        {
            KeyId = DeriveId(key),
            Name = name,
            Roles = roles,
            Accounts = accounts,
            Salt = Convert.ToBase64String(salt),
            Hash = Convert.ToBase64String(Hash(salt, key)),
            CreatedAt = now,
            CreatedBy = createdBy,
        };
    }

    /// <summary>Compares in constant time (the digest length is fixed, so nothing about the key leaks through timing).</summary>
    public static bool Verify(string key, ApiKeyRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        Span<byte> salt = stackalloc byte[64];
        Span<byte> expected = stackalloc byte[64];
        if (!Convert.TryFromBase64String(record.Salt, salt, out var saltLength)
            || !Convert.TryFromBase64String(record.Hash, expected, out var hashLength))
        {
            return false;
        }

        var actual = Hash(salt[..saltLength].ToArray(), key);
        return CryptographicOperations.FixedTimeEquals(actual, expected[..hashLength]);
    }

    private static byte[] Hash(byte[] salt, string key)
    {
        var keyBytes = Encoding.UTF8.GetBytes(key);
        var input = new byte[salt.Length + keyBytes.Length];
        salt.CopyTo(input, 0);
        keyBytes.CopyTo(input, salt.Length);
        return SHA256.HashData(input);
    }
}

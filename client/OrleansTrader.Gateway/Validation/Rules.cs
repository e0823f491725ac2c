using OrleansTrader.Domain.Instruments;
using OrleansTrader.Grains.Abstractions;

namespace OrleansTrader.Gateway.Validation;

/// <summary>
/// Field rules shared by every request: ids, enums, quantities and prices. Anything that fails here is a 400 and never
/// reaches a grain; the domain checks again behind it.
/// </summary>
internal static class Rules
{
    public const int MaxClientOrderIdLength = 128;
    public const int MaxNameLength = 100;
    public const int MaxReasonLength = 500;
    public const decimal MaxQuantity = 1_000_000m;
    public const int MaxQuantityScale = 9;
    public const decimal MaxPrice = 1_000_000m;
    public const int MaxPriceScale = 4;
    /// <summary>The most an account opens with, and the bound of money limits: the account's own bound (one value for both).</summary>
    public const decimal MaxCash = CashTransferRules.MaxCash;

    /// <summary>Account, strategy and key ids (<see cref="IdRules"/>, which the silo's configuration is checked by too).</summary>
    public static bool IsId(string? value) => IdRules.IsValid(value);

    /// <summary>Order ids as the account issues them, and client order ids: 1 to 128 of A-Z a-z 0-9 - _ . :</summary>
    public static bool IsOrderId(string? value) =>
        value is { Length: > 0 and <= MaxClientOrderIdLength } && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');

    public static bool IsSymbol(string? value) => SymbolRules.IsValid(value);

    public static void RequireId(ValidationErrors errors, string field, string? value)
    {
        if (!IsId(value))
        {
            errors.Add(field, $"Must be {IdRules.Description}.");
        }
    }

    /// <summary>The ticker rule in words, for a symbol in a body and in a path alike.</summary>
    public static readonly string SymbolProblem =
        $"Must be a ticker: 1 to {SymbolRules.MaxLength} upper-case letters and digits starting with a letter, with an optional single '.' or '/' class separator.";

    public static void RequireSymbol(ValidationErrors errors, string field, string? value)
    {
        if (!IsSymbol(value))
        {
            errors.Add(field, SymbolProblem);
        }
    }

    public static void RequireText(ValidationErrors errors, string field, string? value, int maxLength, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, "Is required.");
            }

            return;
        }

        if (value.Length > maxLength || value.All(IsInvisible) || value.Any(Domain.FreeText.IsRefused))
        {
            errors.Add(field, $"Must be 1 to {maxLength} characters, some of them visible, without control or bidirectional formatting characters.");
        }
    }

    /// <summary>
    /// White space, or a format character that shows nothing (zero-width space, word joiner, BOM): a name of only these
    /// shows as nothing in a list. Inside visible text a format character is kept (the joiner of an emoji sequence).
    /// </summary>
    private static bool IsInvisible(char c) =>
        char.IsWhiteSpace(c) || System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.Format;

    /// <summary>
    /// Parses an enum from its name, case-insensitively, ignoring '_' and '-' ("stop_limit", "stopLimit"). Integers and
    /// unknown names are refused, so a client can never address a value by number.
    /// </summary>
    public static T? ParseEnum<T>(ValidationErrors errors, string field, string? value, bool required)
        where T : struct, Enum
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, $"Is required; one of {Names<T>()}.");
            }

            return null;
        }

        var normalized = value.Replace("_", string.Empty, StringComparison.Ordinal).Replace("-", string.Empty, StringComparison.Ordinal);
        if (normalized.Length is > 0 and <= 32 && normalized.All(char.IsAsciiLetter)
            && Enum.TryParse<T>(normalized, ignoreCase: true, out var parsed) && Enum.IsDefined(parsed))
        {
            return parsed;
        }

        errors.Add(field, $"Unknown value; one of {Names<T>()}.");
        return null;
    }

    public static void RequireQuantity(ValidationErrors errors, string field, decimal? value, bool required)
    {
        if (value is null)
        {
            if (required)
            {
                errors.Add(field, "Is required.");
            }

            return;
        }

        if (value <= 0m || value > MaxQuantity || value.Value.Scale > MaxQuantityScale)
        {
            errors.Add(field, $"Must be positive, at most {MaxQuantity}, with at most {MaxQuantityScale} decimals.");
        }
    }

    public static void RequirePrice(ValidationErrors errors, string field, decimal? value)
    {
        if (value is { } price && (price <= 0m || price > MaxPrice || price.Scale > MaxPriceScale))
        {
            errors.Add(field, $"Must be positive, at most {MaxPrice}, with at most {MaxPriceScale} decimals.");
        }
    }

    public static void RequirePercent(ValidationErrors errors, string field, decimal? value, decimal exclusiveMax)
    {
        if (value is { } percent && (percent <= 0m || percent >= exclusiveMax || percent.Scale > MaxPriceScale))
        {
            errors.Add(field, $"Must be in (0, {exclusiveMax}) with at most {MaxPriceScale} decimals.");
        }
    }

    public static void RequireRange(ValidationErrors errors, string field, decimal? value, decimal min, decimal max)
    {
        if (value is { } number && (number < min || number > max))
        {
            errors.Add(field, $"Must be between {min} and {max}.");
        }
    }

    public static string Names<T>()
        where T : struct, Enum => string.Join(", ", Enum.GetNames<T>().Select(n => char.ToLowerInvariant(n[0]) + n[1..]));
}

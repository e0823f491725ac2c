namespace OrleansTrader.Domain.Instruments;

/// <summary>
/// US equity ticker syntax: 1 to 10 characters, upper-case ASCII letters and digits, starting with a letter, with
/// single '.' or '/' class separators inside (BRK.B, BRK/B). Anything else is refused before it reaches a lookup.
/// </summary>
public static class SymbolRules
{
    public const int MaxLength = 10;

    public static bool IsValid(string? symbol)
    {
        if (string.IsNullOrEmpty(symbol) || symbol.Length > MaxLength || !IsUpperLetter(symbol[0]))
        {
            return false;
        }

        var previousWasSeparator = false;
        for (var i = 1; i < symbol.Length; i++)
        {
            var c = symbol[i];
            if (c is '.' or '/')
            {
                if (previousWasSeparator || i == symbol.Length - 1)
                {
                    return false;
                }

                previousWasSeparator = true;
                continue;
            }

            if (!IsUpperLetter(c) && !char.IsAsciiDigit(c))
            {
                return false;
            }

            previousWasSeparator = false;
        }

        return true;
    }

    private static bool IsUpperLetter(char c) => c is >= 'A' and <= 'Z';
}

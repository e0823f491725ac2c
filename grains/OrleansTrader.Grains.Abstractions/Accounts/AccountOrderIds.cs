using System.Globalization;

namespace OrleansTrader.Grains.Abstractions;

/// <summary>The ids an account gives its orders: O and the account's order number, nine digits or more (O000000001).</summary>
public static class AccountOrderIds
{
    public static string Format(long number) => "O" + number.ToString("D9", CultureInfo.InvariantCulture);

    /// <summary>The number of an id in this form; false for any other text.</summary>
    public static bool TryParseNumber(string orderId, out long number)
    {
        number = 0;
        return orderId.Length > 1 && orderId[0] == 'O' && long.TryParse(orderId.AsSpan(1), NumberStyles.None, CultureInfo.InvariantCulture, out number);
    }

    /// <summary>
    /// Orders ids by their number. As text, the ten-digit ids that follow O999999999 sort before it (O1000000000 &lt;
    /// O999999999 ordinally): a list newest first put them after the older orders, and a page after O999999999 answered
    /// them again. Ids not in this form sort after those that are, ordinally.
    /// </summary>
    public static IComparer<string> ByNumber { get; } = Comparer<string>.Create(Compare);

    /// <summary>Compares two ids by their number, as <see cref="ByNumber"/> does.</summary>
    public static int Compare(string? x, string? y)
    {
        long xNumber = 0;
        long yNumber = 0;
        var xNumbered = x is not null && TryParseNumber(x, out xNumber);
        var yNumbered = y is not null && TryParseNumber(y, out yNumber);
        if (xNumbered && yNumbered && xNumber != yNumber)
        {
            return xNumber.CompareTo(yNumber);
        }

        // Leading zeros give one number two spellings (O1, O000000001): the text then keeps the order total.
        return xNumbered == yNumbered ? string.CompareOrdinal(x, y) : (xNumbered ? -1 : 1);
    }

    /// <summary>Whether the text has this form (O and up to 19 digits), whatever the number.</summary>
    public static bool IsWellFormed(string value) =>
        value.Length is > 1 and <= 20 && value[0] == 'O' && value.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;
}

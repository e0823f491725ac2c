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

    /// <summary>Whether the text has this form (O and up to 19 digits), whatever the number.</summary>
    public static bool IsWellFormed(string value) =>
        value.Length is > 1 and <= 20 && value[0] == 'O' && value.AsSpan(1).IndexOfAnyExceptInRange('0', '9') < 0;
}

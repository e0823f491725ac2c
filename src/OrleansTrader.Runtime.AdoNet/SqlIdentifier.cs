namespace OrleansTrader.Runtime.AdoNet;

/// <summary>
/// The only way configuration reaches SQL text: a table prefix or schema name made of ASCII letters, digits and
/// underscores, starting with a letter or underscore. Everything else in the SQL is a constant or a parameter.
/// </summary>
internal static class SqlIdentifier
{
    public const int MaxLength = 40;

    public static bool IsValid(string value, bool allowEmpty)
    {
        if (value.Length == 0)
        {
            return allowEmpty;
        }

        if (value.Length > MaxLength || char.IsAsciiDigit(value[0]))
        {
            return false;
        }

        foreach (var c in value)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_')
            {
                return false;
            }
        }

        return true;
    }

    public static string Require(string value, string optionName, bool allowEmpty)
    {
        ArgumentNullException.ThrowIfNull(value, optionName);
        if (!IsValid(value, allowEmpty))
        {
            throw new ArgumentException(
                $"{optionName} '{value}' is not a valid SQL identifier: use only ASCII letters, digits and '_', start with a letter or '_', at most {MaxLength} characters.",
                optionName);
        }

        return value;
    }
}

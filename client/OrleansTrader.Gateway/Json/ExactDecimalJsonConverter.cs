using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTrader.Gateway.Json;

/// <summary>
/// Reads a JSON number into a decimal only when the decimal holds it exactly. The built-in reader rounds digits past a
/// decimal's 28-29 significant ones (9.0000000000000000000000000001 becomes 9, 1e-30 becomes 0), which would move money or
/// quantities silently; such a number is a JsonException, so a 400 naming the field. Writing is the built-in's.
/// </summary>
internal sealed class ExactDecimalJsonConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonValueException("Must be a number.");
        }

        if (!reader.TryGetDecimal(out var value))
        {
            throw new JsonValueException("The number is beyond what a decimal holds.");
        }

        var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (!HoldsExactly(text, value))
        {
            throw new JsonValueException("The number has more significant digits than a decimal holds.");
        }

        return value;
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) => writer.WriteNumberValue(value);

    /// <summary>Whether <paramref name="value"/> is the number <paramref name="json"/> spells: the same significant digits at the same power of ten.</summary>
    internal static bool HoldsExactly(ReadOnlySpan<byte> json, decimal value)
    {
        var mantissa = json;
        var exponent = 0L;
        var e = json.IndexOfAny((byte)'e', (byte)'E');
        if (e >= 0)
        {
            // JSON allows any number of exponent digits; one past an int is far outside a decimal's range anyway.
            if (!int.TryParse(json[(e + 1)..], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var written))
            {
                return false;
            }

            exponent = written;
            mantissa = json[..e];
        }

        var (jsonDigits, jsonPower) = Significant(mantissa, exponent);
        var (valueDigits, valuePower) = Significant(
            System.Text.Encoding.ASCII.GetBytes(Math.Abs(value).ToString(CultureInfo.InvariantCulture)), 0);
        return jsonDigits.Length == 0
            ? value == 0m
            : jsonDigits == valueDigits && jsonPower == valuePower;
    }

    /// <summary>"-0012.3400" with exponent 0 is ("1234", -2): the digits without leading or trailing zeros, and the power of ten of the last one.</summary>
    private static (string Digits, long Power) Significant(ReadOnlySpan<byte> mantissa, long exponent)
    {
        var digits = new System.Text.StringBuilder(mantissa.Length);
        var fraction = -1;
        foreach (var b in mantissa)
        {
            if (b == '.')
            {
                fraction = 0;
            }
            else if (b is >= (byte)'0' and <= (byte)'9')
            {
                digits.Append((char)b);
                if (fraction >= 0)
                {
                    fraction++;
                }
            }
        }

        var power = exponent - Math.Max(fraction, 0);
        var text = digits.ToString().TrimStart('0');
        var trimmed = text.TrimEnd('0');
        return (trimmed, power + (text.Length - trimmed.Length));
    }
}

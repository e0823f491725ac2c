using System.Buffers;
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace OrleansTrader.Gateway.Json;

/// <summary>
/// Reads a whole-number field from any JSON number whose value is whole and fits (<c>1e2</c> and <c>100.0</c> are 100), as
/// docs/api.md promises of every number: the built-in reader takes only plain digits, and refused both, and a number past
/// the field's range, alike as not whole. A fraction is "Must be a whole number."; a number out of range names the range.
/// Writing is the built-in's.
/// </summary>
internal sealed class WholeNumberJsonConverter<T> : JsonConverter<T>
    where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
{
    public const string NotWhole = "Must be a whole number.";

    private static readonly string OutOfRange = string.Create(CultureInfo.InvariantCulture, $"Must be a whole number between {T.MinValue} and {T.MaxValue}.");

    public override T Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            throw new JsonValueException(NotWhole);
        }

        // Past a decimal's range (about 7.9e28) is far past a long's too.
        if (!reader.TryGetDecimal(out var value))
        {
            throw new JsonValueException(OutOfRange);
        }

        // A decimal holds every whole number of its range exactly, so one it rounded had a fraction (100.0...01 read as 100).
        var text = reader.HasValueSequence ? reader.ValueSequence.ToArray() : reader.ValueSpan;
        if (decimal.Truncate(value) != value || !ExactDecimalJsonConverter.HoldsExactly(text, value))
        {
            throw new JsonValueException(NotWhole);
        }

        if (value < decimal.CreateTruncating(T.MinValue) || value > decimal.CreateTruncating(T.MaxValue))
        {
            throw new JsonValueException(OutOfRange);
        }

        return T.CreateChecked(value);
    }

    public override void Write(Utf8JsonWriter writer, T value, JsonSerializerOptions options) => writer.WriteNumberValue(long.CreateTruncating(value));
}

using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using OrleansTrader.Domain.Market;

namespace OrleansTrader.Gateway.Json;

/// <summary>
/// A bar interval as requests give it ("1s", "1m", "1d"): answers write the form a client sends, so what it reads it can send
/// back. Reading also takes a TimeSpan's "hh:mm:ss", the form answers had before.
/// </summary>
public sealed class BarIntervalJsonConverter : JsonConverter<TimeSpan>
{
    public static readonly BarIntervalJsonConverter Instance = new();

    /// <summary>"1s", "1m", "1h", "1d": a count and a unit, the longest unit that divides the interval.</summary>
    public static string Format(TimeSpan interval) => interval switch
    {
        { Ticks: > 0 } when interval.Ticks % TimeSpan.TicksPerDay == 0 => Count(interval.Ticks / TimeSpan.TicksPerDay, 'd'),
        { Ticks: > 0 } when interval.Ticks % TimeSpan.TicksPerHour == 0 => Count(interval.Ticks / TimeSpan.TicksPerHour, 'h'),
        { Ticks: > 0 } when interval.Ticks % TimeSpan.TicksPerMinute == 0 => Count(interval.Ticks / TimeSpan.TicksPerMinute, 'm'),
        { Ticks: > 0 } when interval.Ticks % TimeSpan.TicksPerSecond == 0 => Count(interval.Ticks / TimeSpan.TicksPerSecond, 's'),

        // No bar has such an interval; write it exactly rather than round it.
        _ => interval.ToString("c", CultureInfo.InvariantCulture),
    };

    public static bool TryParse(string? text, out TimeSpan interval)
    {
        interval = default;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        var unit = text[^1] switch
        {
            's' => TimeSpan.TicksPerSecond,
            'm' => TimeSpan.TicksPerMinute,
            'h' => TimeSpan.TicksPerHour,
            'd' => TimeSpan.TicksPerDay,
            _ => 0L,
        };
        if (unit > 0)
        {
            if (!long.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.None, CultureInfo.InvariantCulture, out var count)
                || count <= 0 || count > TimeSpan.MaxValue.Ticks / unit)
            {
                return false;
            }

            interval = TimeSpan.FromTicks(count * unit);
            return true;
        }

        return TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out interval);
    }

    /// <summary>
    /// Gives the bar intervals of the gateway's answers this converter: <c>barInterval</c> (strategies, backtests, sweeps)
    /// and a bar's <c>interval</c>. Other durations (risk limits) keep "hh:mm:ss", as documented.
    /// </summary>
    public static void Apply(JsonTypeInfo typeInfo)
    {
        if (typeInfo.Kind != JsonTypeInfoKind.Object)
        {
            return;
        }

        foreach (var property in typeInfo.Properties)
        {
            if (property.PropertyType == typeof(TimeSpan)
                && (property.Name == "barInterval" || (typeInfo.Type == typeof(Bar) && property.Name == "interval")))
            {
                property.CustomConverter = Instance;
            }
        }
    }

    public override TimeSpan Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.TokenType == JsonTokenType.String && TryParse(reader.GetString(), out var interval)
            ? interval
            : throw new JsonValueException("A bar interval is a string such as \"1s\", \"1m\" or \"1d\".");

    public override void Write(Utf8JsonWriter writer, TimeSpan value, JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteStringValue(Format(value));
    }

    private static string Count(long count, char unit) => count.ToString(CultureInfo.InvariantCulture) + unit;
}

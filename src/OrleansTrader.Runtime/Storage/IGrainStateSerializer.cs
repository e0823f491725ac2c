using System.Buffers;

namespace OrleansTrader.Runtime;

/// <summary>
/// Turns grain state and stream payloads into bytes and back. The runtime's implementation uses System.Text.Json
/// with source-generated contexts only (closed type sets, no type names in the payload).
/// </summary>
public interface IGrainStateSerializer
{
    byte[] Serialize<T>(T value);

    /// <summary>
    /// Writes the same bytes as <see cref="Serialize{T}(T)"/> to <paramref name="output"/>, for a store that copies them
    /// at once and so needs no array of their own.
    /// </summary>
    void Serialize<T>(T value, IBufferWriter<byte> output)
    {
        ArgumentNullException.ThrowIfNull(output);
        output.Write(Serialize(value));
    }

    T Deserialize<T>(ReadOnlySpan<byte> data);
}

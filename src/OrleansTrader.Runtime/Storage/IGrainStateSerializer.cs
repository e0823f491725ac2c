namespace OrleansTrader.Runtime;

/// <summary>
/// Turns grain state and stream payloads into bytes and back. The runtime's implementation uses System.Text.Json
/// with source-generated contexts only (closed type sets, no type names in the payload).
/// </summary>
public interface IGrainStateSerializer
{
    byte[] Serialize<T>(T value);

    T Deserialize<T>(ReadOnlySpan<byte> data);
}

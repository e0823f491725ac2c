using System.Runtime.InteropServices;

namespace OrleansTrader.Runtime.AdoNet;

internal static class PayloadBytes
{
    /// <summary>The drivers bind byte[]; reuse the caller's array when the memory spans all of it, copy otherwise.</summary>
    public static byte[] AsArray(ReadOnlyMemory<byte> payload) =>
        MemoryMarshal.TryGetArray(payload, out var segment) && segment.Array is { } array && segment.Offset == 0 && segment.Count == array.Length
            ? array
            : payload.ToArray();
}

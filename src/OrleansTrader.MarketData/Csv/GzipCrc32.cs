namespace OrleansTrader.MarketData.Csv;

/// <summary>The CRC-32 a gzip trailer records (ISO 3309, reflected polynomial 0xEDB88320).</summary>
internal static class GzipCrc32
{
    private static readonly uint[] Table = BuildTable();

    /// <summary>The CRC of the data so far (<paramref name="crc"/>, 0 at the start) followed by <paramref name="data"/>.</summary>
    public static uint Append(uint crc, ReadOnlySpan<byte> data)
    {
        crc = ~crc;
        foreach (var b in data)
        {
            crc = Table[(crc ^ b) & 0xFF] ^ (crc >> 8);
        }

        return ~crc;
    }

    private static uint[] BuildTable()
    {
        var table = new uint[256];
        for (uint n = 0; n < 256; n++)
        {
            var c = n;
            for (var k = 0; k < 8; k++)
            {
                c = (c & 1) != 0 ? 0xEDB88320 ^ (c >> 1) : c >> 1;
            }

            table[n] = c;
        }

        return table;
    }
}

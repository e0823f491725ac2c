using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace OrleansTrader.MarketData.Csv;

/// <summary>
/// Checks that a gzip file of several members (gzip files joined with cat, a writer appending in gzip mode) is whole.
/// GZipStream reads every member and zlib checks the trailer of each one it finishes, but a last member cut short ends
/// the data quietly, and the file's own last trailer counts only the last member. So the members are walked one by one:
/// each is inflated on its own and must be followed by the trailer (CRC-32 and size) of exactly what it held.
/// </summary>
internal static class GzipMembers
{
    private const int HeaderLength = 10;
    private const int TrailerLength = 8;
    private const int ChunkLength = 16 * 1024;
    private const byte FlagHeaderCrc = 0x02;
    private const byte FlagExtra = 0x04;
    private const byte FlagName = 0x08;
    private const byte FlagComment = 0x10;
    private const byte ReservedFlags = 0xE0;

    /// <summary>
    /// Walks the members of the file; throws <see cref="InvalidDataException"/> when one is cut short, does not match its
    /// trailer, or is followed by data that is no member, and when the members together do not hold
    /// <paramref name="expectedLength"/> bytes (what the reader decompressed). Returns the number of members.
    /// </summary>
    public static int Verify(SafeFileHandle file, long expectedLength)
    {
        var fileLength = RandomAccess.GetLength(file);
        var buffer = new byte[64 * 1024];
        long offset = 0;
        long total = 0;
        var members = 0;
        while (offset < fileLength)
        {
            var bodyStart = SkipHeader(file, offset, fileLength, members);
            var input = new MemberInput(file, bodyStart);
            uint crc = 0;
            long size = 0;
            using (var inflater = new DeflateStream(input, CompressionMode.Decompress, leaveOpen: true))
            {
                int read;
                while ((read = inflater.Read(buffer)) > 0)
                {
                    crc = GzipCrc32.Append(crc, buffer.AsSpan(0, read));
                    size += read;
                }
            }

            // The inflater stops at the end of the member's compressed data, somewhere in the last chunk it was given:
            // the trailer follows there. Eight bytes of CRC and size matching by chance is a 2^-64 event.
            var trailer = FindTrailer(file, Math.Max(bodyStart, input.LastChunkStart - TrailerLength), input.Position, fileLength, crc, size);
            if (trailer < 0)
            {
                throw new InvalidDataException(input.Position >= fileLength
                    ? $"the gzip data ends early (a truncated file): member {members + 1}, at byte {bodyStart - HeaderLength}, is cut short."
                    : $"gzip member {members + 1}, at byte {bodyStart - HeaderLength}, does not match its trailer (a corrupt file).");
            }

            members++;
            total += size;
            offset = trailer + TrailerLength;
        }

        if (members == 0 || total != expectedLength)
        {
            throw new InvalidDataException(
                $"the gzip data ends early (a truncated file): its {members} members hold {total} bytes, {expectedLength} were read.");
        }

        return members;
    }

    /// <summary>The offset of the member's compressed data, past its header and the header's optional fields.</summary>
    private static long SkipHeader(SafeFileHandle file, long offset, long fileLength, int membersBefore)
    {
        Span<byte> header = stackalloc byte[HeaderLength];
        if (RandomAccess.Read(file, header, offset) < HeaderLength || header[0] != 0x1F || header[1] != 0x8B || header[2] != 8 ||
            (header[3] & ReservedFlags) != 0)
        {
            throw new InvalidDataException(membersBefore == 0
                ? "the file is not gzip."
                : $"the {fileLength - offset} bytes after gzip member {membersBefore} (from byte {offset}) are not a gzip member (a corrupt file, or data appended to it).");
        }

        var flags = header[3];
        var position = offset + HeaderLength;
        if ((flags & FlagExtra) != 0)
        {
            Span<byte> extraLength = stackalloc byte[2];
            if (RandomAccess.Read(file, extraLength, position) < 2)
            {
                throw Truncated(membersBefore);
            }

            position += 2 + BinaryPrimitives.ReadUInt16LittleEndian(extraLength);
        }

        if ((flags & FlagName) != 0)
        {
            position = PastZero(file, position, fileLength, membersBefore);
        }

        if ((flags & FlagComment) != 0)
        {
            position = PastZero(file, position, fileLength, membersBefore);
        }

        if ((flags & FlagHeaderCrc) != 0)
        {
            position += 2;
        }

        return position <= fileLength ? position : throw Truncated(membersBefore);
    }

    private static long PastZero(SafeFileHandle file, long position, long fileLength, int membersBefore)
    {
        Span<byte> one = stackalloc byte[1];
        while (position < fileLength)
        {
            RandomAccess.Read(file, one, position++);
            if (one[0] == 0)
            {
                return position;
            }
        }

        throw Truncated(membersBefore);
    }

    private static long FindTrailer(SafeFileHandle file, long from, long givenEnd, long fileLength, uint crc, long size)
    {
        var last = Math.Min(givenEnd, fileLength - TrailerLength);
        if (last < from)
        {
            return -1;
        }

        var window = new byte[last - from + TrailerLength];
        var read = RandomAccess.Read(file, window, from);
        for (var i = 0; i + TrailerLength <= read; i++)
        {
            if (BinaryPrimitives.ReadUInt32LittleEndian(window.AsSpan(i)) == crc &&
                BinaryPrimitives.ReadUInt32LittleEndian(window.AsSpan(i + 4)) == unchecked((uint)size))
            {
                return from + i;
            }
        }

        return -1;
    }

    private static InvalidDataException Truncated(int membersBefore) =>
        new($"the gzip data ends early (a truncated file): the header of member {membersBefore + 1} is cut short.");

    /// <summary>The file from one offset on, given to the inflater a chunk at a time, remembering where the last chunk began.</summary>
    private sealed class MemberInput(SafeFileHandle file, long start) : Stream
    {
        private long _next = start;

        public long LastChunkStart { get; private set; } = start;

        /// <summary>The offset after the last byte given to the inflater.</summary>
        public override long Position
        {
            get => _next;
            set => throw new NotSupportedException();
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var read = RandomAccess.Read(file, buffer[..Math.Min(buffer.Length, ChunkLength)], _next);
            if (read > 0)
            {
                LastChunkStart = _next;
                _next += read;
            }

            return read;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

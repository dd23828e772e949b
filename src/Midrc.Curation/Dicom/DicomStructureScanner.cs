using System.Buffers.Binary;
using System.IO.Compression;
using Microsoft.Win32.SafeHandles;

namespace Midrc.Curation.Dicom;

/// <summary>
/// Walks the element headers of a file (without reading values) before GDCM sees it, so that a declared length larger
/// than the file, a header value above the limit, or absurd nesting is rejected in microseconds instead of making the
/// parser allocate gigabytes. Also tells whether the file holds Pixel Data, which GDCM's header-only read skips.
/// </summary>
internal sealed class DicomStructureScanner
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const string DeflatedTransferSyntax = "1.2.840.10008.1.2.1.99";
    private static readonly HashSet<string> LongLengthVrs = ["OB", "OW", "OF", "OD", "OL", "OV", "SQ", "UT", "UN", "UC", "UR", "SV", "UV"];

    private readonly DicomReaderOptions _options;
    private readonly string _fileName;
    private readonly byte[] _header = new byte[8];
    private Stream _stream = Stream.Null;
    private long _size;
    private long _position;
    private long _limit;

    private DicomStructureScanner(DicomReaderOptions options, string path)
    {
        _options = options;
        _fileName = System.IO.Path.GetFileName(path);
    }

    /// <summary>How elements are encoded: explicit or implicit VR, big or little endian.</summary>
    private readonly record struct Layout(bool Explicit, bool BigEndian);

    /// <summary>What the scan learned besides the file being sound.</summary>
    /// <param name="HasPixelData">Whether the file holds Pixel Data.</param>
    /// <param name="SizeBytes">The file's size in bytes.</param>
    public readonly record struct Outcome(bool HasPixelData, long SizeBytes);

    /// <summary>Checks the structure of the file open on <paramref name="file"/>; returns whether it holds Pixel Data, and its size.</summary>
    /// <exception cref="DicomReadException">The file is empty, too large, not DICOM, truncated or declares impossible lengths.</exception>
    public static Outcome Scan(SafeFileHandle file, string path, DicomReaderOptions options)
    {
        var scanner = new DicomStructureScanner(options, path);
        var hasPixelData = scanner.Run(file);
        return new Outcome(hasPixelData, scanner._size);
    }

    private bool Run(SafeFileHandle handle)
    {
        var length = RandomAccess.GetLength(handle);
        if (length == 0)
        {
            throw new DicomReadException($"'{_fileName}' is empty (0 bytes), so it is not a DICOM file; export it again from the source system.");
        }
        if (length > _options.MaxFileBytes)
        {
            throw new DicomReadException($"'{_fileName}' is {length:N0} bytes, above the limit of {_options.MaxFileBytes:N0} bytes for one file; split the export or ask the program for a higher limit.");
        }
        _size = length;
        // Reads through its own buffered view of the handle, which stays open (and in place) for the caller.
        using var file = new BufferedStream(new HandleReader(handle, length), 4096);
        _stream = file;
        _limit = length;
        var (layout, transferSyntax) = ReadPreambleAndMeta();
        if (transferSyntax == DeflatedTransferSyntax)
        {
            // The data set is a raw deflate stream: walk it as it inflates, with the file size limit as the cap.
            using var inflated = new DeflateStream(file, CompressionMode.Decompress, leaveOpen: true);
            _stream = inflated;
            _position = 0;
            _limit = _options.MaxFileBytes;
            return WalkDataSet(layout, end: -1, depth: 0);
        }
        return WalkDataSet(layout, end: -1, depth: 0);
    }

    private (Layout Layout, string TransferSyntax) ReadPreambleAndMeta()
    {
        Span<byte> start = stackalloc byte[132];
        var got = ReadUpTo(start);
        if (got == 132 && start[128..132].SequenceEqual("DICM"u8))
        {
            return ReadMeta();
        }
        _stream.Seek(0, SeekOrigin.Begin);
        _position = 0;
        if (got >= 8)
        {
            var littleGroup = BinaryPrimitives.ReadUInt16LittleEndian(start);
            var bigGroup = BinaryPrimitives.ReadUInt16BigEndian(start);
            var hasVr = IsVrText(start[4], start[5]);
            if (littleGroup is >= 0x0002 and <= 0x00FF)
            {
                return (new Layout(hasVr, BigEndian: false), "");
            }
            if (bigGroup is >= 0x0002 and <= 0x00FF && hasVr)
            {
                return (new Layout(Explicit: true, BigEndian: true), "");
            }
        }
        throw new DicomReadException($"'{_fileName}' is not a DICOM file: it has no 'DICM' marker at byte 128 and does not start like a DICOM data set. Send the DICOM export of the image, not a report, picture or archive.");
    }

    private (Layout Layout, string TransferSyntax) ReadMeta()
    {
        var transferSyntax = "";
        while (true)
        {
            var at = _position;
            if (!TryReadHeader(new Layout(Explicit: true, BigEndian: false), out var tag, out _, out var length) || tag.Group != 0x0002)
            {
                _stream.Seek(at, SeekOrigin.Begin);
                _position = at;
                break;
            }
            CheckLength(tag, length, end: -1);
            if (tag == new DicomTag(0x0002, 0x0010) && length < 256)
            {
                var value = new byte[length];
                ReadExactly(value, tag);
                transferSyntax = System.Text.Encoding.ASCII.GetString(value).TrimEnd('\0', ' ');
            }
            else
            {
                Skip(length, tag);
            }
        }
        var layout = transferSyntax switch
        {
            "1.2.840.10008.1.2" => new Layout(Explicit: false, BigEndian: false),
            "1.2.840.10008.1.2.2" => new Layout(Explicit: true, BigEndian: true),
            _ => new Layout(Explicit: true, BigEndian: false),
        };
        return (layout, transferSyntax);
    }

    /// <summary>Walks elements until <paramref name="end"/> (or an item delimiter when -1); true when Pixel Data was reached at the top level.</summary>
    private bool WalkDataSet(Layout layout, long end, int depth)
    {
        while (end < 0 || _position < end)
        {
            var at = _position;
            if (!TryReadHeader(layout, out var tag, out var vr, out var length))
            {
                if (depth == 0 && end < 0 && _position == at)
                {
                    return false;
                }
                throw Truncated();
            }
            if (tag is { Group: 0xFFFE, Element: 0xE00D })
            {
                return false;
            }
            if (depth == 0 && tag == DicomTag.PixelData)
            {
                if (length != UndefinedLength && _stream.CanSeek && length > _limit - _position)
                {
                    throw new DicomReadException($"'{_fileName}' is truncated: its Pixel Data declares {length:N0} bytes but only {_limit - _position:N0} remain. The file was cut short in transfer; send it again.");
                }
                return true;
            }
            if (length == UndefinedLength)
            {
                if (vr is "SQ" or "UN" || !layout.Explicit)
                {
                    // PS3.5 6.2.2: an undefined-length UN holds an implicit VR little endian sequence.
                    WalkSequence(vr == "UN" ? new Layout(Explicit: false, BigEndian: false) : layout, tag, end: -1, depth + 1);
                }
                else
                {
                    SkipFragments(layout, tag);
                }
                continue;
            }
            CheckLength(tag, length, end);
            if (vr == "SQ" || (!layout.Explicit && length >= 8 && NextIsItem(layout)))
            {
                WalkSequence(layout, tag, _position + length, depth + 1);
            }
            else
            {
                Skip(length, tag);
            }
        }
        return false;
    }

    private void WalkSequence(Layout layout, DicomTag sequence, long end, int depth)
    {
        if (depth > _options.MaxSequenceDepth)
        {
            throw new DicomReadException($"'{_fileName}' nests sequences more than {_options.MaxSequenceDepth} deep (at {sequence}); the file is damaged or built to break readers.");
        }
        while (end < 0 || _position < end)
        {
            if (!TryReadItemHeader(layout, out var tag, out var length))
            {
                throw Truncated();
            }
            if (tag is { Group: 0xFFFE, Element: 0xE0DD })
            {
                return;
            }
            if (tag is not { Group: 0xFFFE, Element: 0xE000 })
            {
                throw new DicomReadException($"'{_fileName}' is damaged: sequence {sequence} holds {tag} where an item was expected.");
            }
            if (length == UndefinedLength)
            {
                WalkDataSet(layout, end: -1, depth);
            }
            else
            {
                CheckLength(sequence, length, end);
                WalkDataSet(layout, _position + length, depth);
            }
        }
    }

    private void SkipFragments(Layout layout, DicomTag owner)
    {
        while (true)
        {
            if (!TryReadItemHeader(layout, out var tag, out var length))
            {
                throw Truncated();
            }
            if (tag is { Group: 0xFFFE, Element: 0xE0DD })
            {
                return;
            }
            CheckLength(owner, length, end: -1);
            Skip(length, owner);
        }
    }

    private bool NextIsItem(Layout layout)
    {
        var at = _position;
        var isItem = TryReadItemHeader(layout, out var tag, out _) && tag is { Group: 0xFFFE, Element: 0xE000 or 0xE0DD };
        _stream.Seek(at, SeekOrigin.Begin);
        _position = at;
        return isItem;
    }

    private void CheckLength(DicomTag tag, uint length, long end)
    {
        if (length == UndefinedLength)
        {
            return;
        }
        var room = end >= 0 ? end - _position : _limit - _position;
        if (_stream.CanSeek && length > room)
        {
            throw new DicomReadException($"'{_fileName}' is damaged or truncated: element {tag} declares {length:N0} bytes but only {Math.Max(room, 0):N0} remain where it sits. Export the file again from the source system.");
        }
        if (length > _options.MaxElementBytes)
        {
            throw new DicomReadException($"'{_fileName}' declares {length:N0} bytes for element {tag}, above the limit of {_options.MaxElementBytes:N0} bytes for a header value; the file is damaged or not a normal image.");
        }
    }

    private bool TryReadHeader(Layout layout, out DicomTag tag, out string vr, out uint length)
    {
        vr = "";
        length = 0;
        if (!TryReadTag(layout, out tag))
        {
            return false;
        }
        if (tag.Group == 0xFFFE || !layout.Explicit)
        {
            return TryReadUInt32(layout, out length);
        }
        if (!TryRead(2))
        {
            return false;
        }
        vr = System.Text.Encoding.ASCII.GetString(_header, 0, 2);
        if (!LongLengthVrs.Contains(vr))
        {
            if (!TryRead(2))
            {
                return false;
            }
            length = layout.BigEndian ? BinaryPrimitives.ReadUInt16BigEndian(_header) : BinaryPrimitives.ReadUInt16LittleEndian(_header);
            return true;
        }
        return TryRead(2) && TryReadUInt32(layout, out length);
    }

    private bool TryReadItemHeader(Layout layout, out DicomTag tag, out uint length)
    {
        length = 0;
        return TryReadTag(layout, out tag) && TryReadUInt32(layout, out length);
    }

    private bool TryReadTag(Layout layout, out DicomTag tag)
    {
        tag = default;
        if (!TryRead(4))
        {
            return false;
        }
        tag = layout.BigEndian
            ? new DicomTag(BinaryPrimitives.ReadUInt16BigEndian(_header), BinaryPrimitives.ReadUInt16BigEndian(_header.AsSpan(2)))
            : new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(_header), BinaryPrimitives.ReadUInt16LittleEndian(_header.AsSpan(2)));
        return true;
    }

    private bool TryReadUInt32(Layout layout, out uint value)
    {
        value = 0;
        if (!TryRead(4))
        {
            return false;
        }
        value = layout.BigEndian ? BinaryPrimitives.ReadUInt32BigEndian(_header) : BinaryPrimitives.ReadUInt32LittleEndian(_header);
        return true;
    }

    private bool TryRead(int count) => ReadUpTo(_header.AsSpan(0, count)) == count;

    private int ReadUpTo(Span<byte> buffer)
    {
        var total = _stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        _position += total;
        if (_position > _limit)
        {
            throw new DicomReadException($"'{_fileName}' inflates to more than {_limit:N0} bytes; it is damaged or built to exhaust the reader.");
        }
        return total;
    }

    private void ReadExactly(Span<byte> buffer, DicomTag tag)
    {
        if (ReadUpTo(buffer) != buffer.Length)
        {
            throw Truncated(tag);
        }
    }

    private void Skip(uint length, DicomTag tag)
    {
        if (_stream.CanSeek)
        {
            _stream.Seek(length, SeekOrigin.Current);
            _position += length;
            return;
        }
        Span<byte> scratch = stackalloc byte[4096];
        var left = (long)length;
        while (left > 0)
        {
            var chunk = scratch[..(int)Math.Min(left, scratch.Length)];
            ReadExactly(chunk, tag);
            left -= chunk.Length;
        }
    }

    private static bool IsVrText(byte a, byte b) => a is >= (byte)'A' and <= (byte)'Z' && b is >= (byte)'A' and <= (byte)'Z';

    private DicomReadException Truncated(DicomTag? tag = null) => new(
        $"'{_fileName}' is truncated{(tag is { } t ? $" inside element {t}" : "")}: it ends in the middle of its header. The file was cut short in transfer; send it again.");
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Globalization;
using Microsoft.Win32.SafeHandles;

namespace Midrc.Curation.Dicom;

/// <summary>
/// Builds the managed <see cref="DicomFileView"/> from the record stream GDCM's header walk writes
/// (<see cref="NativeHeaderWalk"/>), decoding values as text.
/// </summary>
internal static class HeaderRecordReader
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const int MaxCachedTagTexts = 1 << 16;
    private static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);
    private static readonly DicomTag TransferSyntaxUid = new(0x0002, 0x0010);
    private static readonly HashSet<string> CharsetVrs = ["LO", "LT", "PN", "SH", "ST", "UC", "UT"];
    private static readonly HashSet<string> SingleValueVrs = ["LT", "ST", "UT", "UR"];
    private static readonly ConcurrentDictionary<uint, string> TagTexts = new();

    // Every VR the walk writes, keyed by its two bytes as one little endian number, so a record costs no string.
    private static readonly FrozenDictionary<ushort, string> VrNames = new[]
    {
        "AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT", "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH",
        "SL", "SQ", "SS", "ST", "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV", "xs",
    }.ToFrozenDictionary(name => (ushort)(name[0] | (name[1] << 8)));

    public static DicomFileView Read(SafeFileHandle file, string path, bool hasPixelData)
    {
        var records = new RecordCursor(NativeHeaderWalk.Walk(file, path));
        var meta = ReadDataSet(ref records, DicomTextDecoder.Default, "");
        var dataset = ReadDataSet(ref records, DicomTextDecoder.Default, "");
        return new DicomFileView
        {
            SourcePath = path,
            TransferSyntaxUid = meta.GetString(TransferSyntaxUid) ?? "",
            FileMeta = meta,
            Dataset = dataset,
            HasPixelData = hasPixelData,
        };
    }

    private static DicomDataset ReadDataSet(ref RecordCursor records, DicomTextDecoder inherited, string prefix)
    {
        records.Expect('D');
        var decoder = inherited;
        if (records.Byte() == 1)
        {
            // The walk repeats the data set's Specific Character Set first: elements of groups before 0008 need it too.
            var charset = ReadElement(ref records, DicomTextDecoder.Default, "", signedPixels: false);
            decoder = DicomTextDecoder.ForSpecificCharacterSet(charset.Values);
        }
        var elements = new List<DicomElement>();
        var signedPixels = false;
        while (!records.TryTake('d'))
        {
            var element = ReadElement(ref records, decoder, prefix, signedPixels);
            signedPixels |= element.Tag == PixelRepresentation && element.Values is ["1"];
            elements.Add(element);
        }
        return new DicomDataset(elements);
    }

    private static DicomElement ReadElement(ref RecordCursor records, DicomTextDecoder decoder, string prefix, bool signedPixels)
    {
        var isSequence = records.Byte() switch
        {
            (byte)'E' => false,
            (byte)'S' => true,
            var other => throw records.Malformed($"element record expected, found byte {other}"),
        };
        var packed = records.UInt32();
        var tag = new DicomTag((ushort)(packed >> 16), (ushort)packed);
        var vr = records.UInt16() is var code && VrNames.TryGetValue(code, out var name)
            ? name == "xs" ? (signedPixels ? "SS" : "US") : name
            : throw records.Malformed($"unknown VR code {code:X4} at {tag}");
        var declared = records.UInt32();
        var length = declared == UndefinedLength ? 0 : declared;
        var bytes = records.Bytes(records.UInt32());
        var path = prefix.Length == 0 ? TagText(tag) : string.Concat(prefix, TagText(tag));
        IReadOnlyList<string> values = bytes.IsEmpty ? [] : DecodeValues(vr, bytes, decoder);
        IReadOnlyList<DicomDataset> items = isSequence ? ReadItems(ref records, decoder, path) : [];
        // One allocation per element: a file has thousands of them and the reads are dominated by allocation.
        return new DicomElement
        {
            Tag = tag,
            Vr = vr,
            Keyword = tag.IsPrivate ? "" : NativeHeaderWalk.Keyword(tag),
            Path = path,
            Length = length,
            Values = values,
            Items = items,
        };
    }

    private static List<DicomDataset> ReadItems(ref RecordCursor records, DicomTextDecoder decoder, string path)
    {
        var items = new List<DicomDataset>();
        while (!records.TryTake('s'))
        {
            items.Add(ReadDataSet(ref records, decoder, $"{path}[{items.Count}]."));
        }
        return items;
    }

    /// <summary>
    /// A tag's text, e.g. <c>(0010,0010)</c>, formatted once per tag for the process; the cache is capped, so files full of
    /// made-up private tags cannot grow it without bound.
    /// </summary>
    private static string TagText(DicomTag tag) =>
        TagTexts.TryGetValue(tag.Value, out var text) ? text
        : TagTexts.Count < MaxCachedTagTexts ? TagTexts.GetOrAdd(tag.Value, tag.ToString())
        : tag.ToString();

    /// <summary>Values as text; GDCM has already swapped big endian binary values to little endian.</summary>
    internal static IReadOnlyList<string> DecodeValues(string vr, ReadOnlySpan<byte> bytes, DicomTextDecoder decoder)
    {
        return vr switch
        {
            "US" => Numbers(bytes, 2, b => BinaryPrimitives.ReadUInt16LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
            "SS" => Numbers(bytes, 2, b => BinaryPrimitives.ReadInt16LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
            "UL" => Numbers(bytes, 4, b => BinaryPrimitives.ReadUInt32LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
            "SL" => Numbers(bytes, 4, b => BinaryPrimitives.ReadInt32LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
            "UV" => Numbers(bytes, 8, b => BinaryPrimitives.ReadUInt64LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
            "SV" => Numbers(bytes, 8, b => BinaryPrimitives.ReadInt64LittleEndian(b).ToString(CultureInfo.InvariantCulture)),
            "FL" => Numbers(bytes, 4, b => BinaryPrimitives.ReadSingleLittleEndian(b).ToString("R", CultureInfo.InvariantCulture)),
            "FD" => Numbers(bytes, 8, b => BinaryPrimitives.ReadDoubleLittleEndian(b).ToString("R", CultureInfo.InvariantCulture)),
            "AT" => Numbers(bytes, 4, b => new DicomTag(BinaryPrimitives.ReadUInt16LittleEndian(b), BinaryPrimitives.ReadUInt16LittleEndian(b[2..])).ToString()),
            _ => Text(vr, bytes, decoder),
        };
    }

    private static string[] Text(string vr, ReadOnlySpan<byte> bytes, DicomTextDecoder decoder)
    {
        var text = CharsetVrs.Contains(vr) ? decoder.Decode(bytes, vr == "PN") : DicomTextDecoder.Default.Decode(bytes, isPersonName: false);
        if (SingleValueVrs.Contains(vr))
        {
            return [text.TrimEnd(' ', '\0')];
        }
        var values = text.Split('\\');
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = values[i].Trim(' ', '\0');
        }
        return values;
    }

    private delegate string NumberFormatter(ReadOnlySpan<byte> bytes);

    private static string[] Numbers(ReadOnlySpan<byte> bytes, int size, NumberFormatter format)
    {
        var values = new string[bytes.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = format(bytes.Slice(i * size, size));
        }
        return values;
    }

    /// <summary>Reads the walk's records in order; the native side writes them, so a mismatch is a fault in this library.</summary>
    private ref struct RecordCursor(ReadOnlySpan<byte> records)
    {
        private readonly ReadOnlySpan<byte> _records = records;
        private int _at;

        public byte Byte() => Take(1)[0];

        public ushort UInt16() => BinaryPrimitives.ReadUInt16LittleEndian(Take(2));

        public uint UInt32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

        public ReadOnlySpan<byte> Bytes(uint count) => count <= (uint)(_records.Length - _at) ? Take((int)count) : throw Malformed($"{count} value bytes announced, {_records.Length - _at} left");

        public void Expect(char kind)
        {
            if (Byte() != kind)
            {
                throw Malformed($"'{kind}' record expected at byte {_at - 1}");
            }
        }

        public bool TryTake(char kind)
        {
            if (_at < _records.Length && _records[_at] == kind)
            {
                _at++;
                return true;
            }
            return false;
        }

        public readonly InvalidOperationException Malformed(string what) =>
            new($"The native header walk wrote a record stream this reader does not understand ({what}); {NativeHeaderWalk.FileName} and Midrc.Curation come from different builds.");

        private ReadOnlySpan<byte> Take(int count)
        {
            if (count > _records.Length - _at)
            {
                throw Malformed($"the stream ends at byte {_records.Length}");
            }
            var taken = _records.Slice(_at, count);
            _at += count;
            return taken;
        }
    }
}

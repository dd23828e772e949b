using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Globalization;

namespace Midrc.Curation.Dicom;

/// <summary>Turns GDCM's data sets into managed <see cref="DicomDataset"/>s, decoding values as text.</summary>
internal static class GdcmHeaderConverter
{
    private const uint UndefinedLength = 0xFFFFFFFF;
    private const int MaxCachedTagTexts = 1 << 16;
    private static readonly DicomTag SpecificCharacterSet = new(0x0008, 0x0005);
    private static readonly DicomTag PixelRepresentation = new(0x0028, 0x0103);
    private static readonly DicomTag TransferSyntaxUid = new(0x0002, 0x0010);
    private static readonly HashSet<string> CharsetVrs = ["LO", "LT", "PN", "SH", "ST", "UC", "UT"];
    private static readonly HashSet<string> SingleValueVrs = ["LT", "ST", "UT", "UR"];
    private static readonly HashSet<string> TextVrs = ["AE", "AS", "CS", "DA", "DS", "DT", "IS", "LO", "LT", "PN", "SH", "ST", "TM", "UC", "UI", "UR", "UT"];
    private static readonly ConcurrentDictionary<uint, (gdcm.VR.VRType Vr, string Keyword)> Dictionary = new();
    private static readonly ConcurrentDictionary<gdcm.VR.VRType, string> VrNames = new();
    private static readonly ConcurrentDictionary<(uint Tag, string Creator), string> PrivateDictionary = new();
    private static readonly ConcurrentDictionary<uint, string> TagTexts = new();

    [ThreadStatic]
    private static byte[]? t_scratch;

    public static DicomFileView Read(string path, bool hasPixelData)
    {
        using var reader = new gdcm.Reader();
        using var pixelData = new gdcm.Tag(DicomTag.PixelData.Group, DicomTag.PixelData.Element);
        using var skip = new gdcm.TagSetType();
        skip.Add(pixelData);
        reader.SetFileName(path);
        if (!reader.ReadUpToTag(pixelData, skip))
        {
            throw new DicomReadException(
                $"'{Path.GetFileName(path)}' could not be parsed as DICOM (GDCM rejected its structure). The file is damaged or is not DICOM; export it again from the source system.");
        }
        using var file = reader.GetFile();
        using var header = file.GetHeader();
        using var body = file.GetDataSet();
        var meta = Convert(header, DicomTextDecoder.Default, "");
        var dataset = Convert(body, DicomTextDecoder.Default, "");
        return new DicomFileView
        {
            SourcePath = path,
            TransferSyntaxUid = meta.GetString(TransferSyntaxUid) ?? "",
            FileMeta = meta,
            Dataset = dataset,
            HasPixelData = hasPixelData,
        };
    }

    private static DicomDataset Convert(gdcm.DataSet source, DicomTextDecoder inherited, string prefix)
    {
        var decoder = CharsetOf(source) ?? inherited;
        var elements = new List<DicomElement>((int)source.Size());
        var signedPixels = false;
        using var iterator = new gdcm.CSharpDataSet(source);
        for (iterator.Start(); !iterator.IsAtEnd(); iterator.Next())
        {
            using var current = iterator.GetCurrent();
            var element = Convert(source, current, decoder, prefix, signedPixels);
            signedPixels |= element.Tag == PixelRepresentation && element.Values is ["1"];
            elements.Add(element);
        }
        return new DicomDataset(elements);
    }

    private static DicomElement Convert(gdcm.DataSet owner, gdcm.DataElement source, DicomTextDecoder decoder, string prefix, bool signedPixels)
    {
        // SWIG wrappers are finalizable even when they do not own memory: disposing each one keeps them off the finalizer queue.
        using var gdcmTag = source.GetTag();
        var packed = gdcmTag.GetElementTag();
        var tag = new DicomTag((ushort)(packed >> 16), (ushort)packed);
        using var gdcmVr = source.GetVR();
        var fromFile = gdcmVr.GetVRField();
        // Like pydicom, an unknown VR (implicit VR files) or UN is replaced by the dictionary's VR when there is one.
        var lookUp = fromFile is gdcm.VR.VRType.INVALID or gdcm.VR.VRType.UN;
        var (vr, keyword) = tag.IsPrivate
            ? (lookUp ? PrivateVr(owner, gdcmTag, tag) : Name(fromFile, signedPixels), "")
            : Describe(tag, lookUp ? gdcm.VR.VRType.INVALID : fromFile, signedPixels);
        using var vl = source.GetVL();
        var length = vl.GetValueLength() is var declared && declared == UndefinedLength ? 0 : declared;
        var path = prefix.Length == 0 ? TagText(tag) : string.Concat(prefix, TagText(tag));
        using var byteValue = source.GetByteValue();
        IReadOnlyList<DicomDataset> items = [];
        IReadOnlyList<string> values = [];
        if (vr == "SQ" || (byteValue is null && !source.IsEmpty()))
        {
            items = ItemsOf(source, decoder, path);
        }
        else if (byteValue is not null && length != 0 && IsDecoded(vr))
        {
            var buffer = Scratch(length);
            byteValue.GetBuffer(buffer, length);
            values = DecodeValues(vr, buffer.AsSpan(0, (int)length), decoder);
        }
        // One allocation per element: a file has thousands of them and the reads are dominated by allocation.
        return new DicomElement { Tag = tag, Vr = vr, Keyword = keyword, Path = path, Length = length, Values = values, Items = items };
    }

    /// <summary>
    /// A tag's text, e.g. <c>(0010,0010)</c>, formatted once per tag for the process; the cache is capped, so files full of
    /// made-up private tags cannot grow it without bound.
    /// </summary>
    private static string TagText(DicomTag tag) =>
        TagTexts.TryGetValue(tag.Value, out var text) ? text
        : TagTexts.Count < MaxCachedTagTexts ? TagTexts.GetOrAdd(tag.Value, tag.ToString())
        : tag.ToString();

    /// <summary>
    /// A per-thread buffer for copying values out of GDCM. Cheaper than the shared array pool here, whose trimming on
    /// every gen 2 collection contended with the reads; the structural pre-scan caps its size at the element limit.
    /// </summary>
    private static byte[] Scratch(uint length)
    {
        if (t_scratch is null || t_scratch.Length < length)
        {
            t_scratch = new byte[Math.Max(length, 4096)];
        }
        return t_scratch;
    }

    private static List<DicomDataset> ItemsOf(gdcm.DataElement source, DicomTextDecoder decoder, string path)
    {
        // The SmartPtrSQ must stay alive while its items are read: disposing it first frees them (segfault on implicit VR).
        using var sequence = source.GetValueAsSQ();
        if (sequence?.GetPointer() is null)
        {
            return [];
        }
        var count = sequence.GetNumberOfItems();
        var items = new List<DicomDataset>((int)count);
        for (uint i = 1; i <= count; i++)
        {
            using var item = sequence.GetItem(i);
            using var nested = item.GetNestedDataSet();
            items.Add(Convert(nested, decoder, $"{path}[{i - 1}]."));
        }
        return items;
    }

    private static DicomTextDecoder? CharsetOf(gdcm.DataSet source)
    {
        using var tag = new gdcm.Tag(SpecificCharacterSet.Group, SpecificCharacterSet.Element);
        if (!source.FindDataElement(tag))
        {
            return null;
        }
        using var found = source.GetDataElement(tag);
        var element = Convert(source, found, DicomTextDecoder.Default, "", signedPixels: false);
        return DicomTextDecoder.ForSpecificCharacterSet(element.Values);
    }

    private static (string Vr, string Keyword) Describe(DicomTag tag, gdcm.VR.VRType fromFile, bool signedPixels)
    {
        var (fromDictionary, keyword) = Dictionary.GetOrAdd(tag.Value, static (_, t) => LookUp(t), tag);
        var type = fromFile is gdcm.VR.VRType.INVALID or gdcm.VR.VRType.VR_END ? fromDictionary : fromFile;
        return (Name(type, signedPixels), keyword);
    }

    private static string Name(gdcm.VR.VRType type, bool signedPixels) =>
        type switch
        {
            gdcm.VR.VRType.INVALID => "UN",
            gdcm.VR.VRType.US_SS => signedPixels ? "SS" : "US",
            gdcm.VR.VRType.US_SS_OW or gdcm.VR.VRType.US_OW => "US",
            gdcm.VR.VRType.OB_OW => "OW",
            _ => VrNames.GetOrAdd(type, static t => gdcm.VR.GetVRString(t)),
        };

    /// <summary>An implicit VR private element's VR from GDCM's private dictionary, keyed by its private creator; UN when unknown.</summary>
    private static string PrivateVr(gdcm.DataSet owner, gdcm.Tag gdcmTag, DicomTag tag)
    {
        if (tag.Element < 0x1000)
        {
            return tag.Element == 0 ? "UL" : tag.Element >= 0x0010 ? "LO" : "UN";
        }
        var creator = owner.GetPrivateCreator(gdcmTag)?.Trim() ?? "";
        return PrivateDictionary.GetOrAdd((tag.Value & 0xFFFF00FF, creator), static (key, t) =>
        {
            using var privateTag = new gdcm.PrivateTag(t.Group, (ushort)(t.Element & 0x00FF), key.Creator);
            using var entry = gdcm.Global.GetInstance().GetDicts().GetDictEntry(privateTag);
            using var vr = entry.GetVR();
            return Name(vr.GetVRField(), signedPixels: false);
        }, tag);
    }

    private static (gdcm.VR.VRType Vr, string Keyword) LookUp(DicomTag tag)
    {
        if (tag.IsPrivate)
        {
            return (gdcm.VR.VRType.INVALID, "");
        }
        using var gdcmTag = new gdcm.Tag(tag.Group, tag.Element);
        using var entry = gdcm.Global.GetInstance().GetDicts().GetDictEntry(gdcmTag);
        using var vr = entry.GetVR();
        return (vr.GetVRField(), entry.GetKeyword() ?? "");
    }

    private static bool IsDecoded(string vr) => TextVrs.Contains(vr) || vr is "US" or "SS" or "UL" or "SL" or "FL" or "FD" or "AT" or "SV" or "UV";

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
}

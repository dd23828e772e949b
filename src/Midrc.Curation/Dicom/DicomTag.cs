using System.Globalization;

namespace Midrc.Curation.Dicom;

/// <summary>A DICOM data element tag: group and element number.</summary>
public readonly record struct DicomTag(ushort Group, ushort Element) : IComparable<DicomTag>
{
    /// <summary>Pixel Data (7FE0,0010): reads stop before it.</summary>
    public static readonly DicomTag PixelData = new(0x7FE0, 0x0010);

    /// <summary>Private tags have an odd group number (PS3.5 section 7.8).</summary>
    public bool IsPrivate => (Group & 1) == 1;

    /// <summary>The tag as one 32-bit number, group in the high half.</summary>
    public uint Value => ((uint)Group << 16) | Element;

    /// <summary>Parses <c>(gggg,eeee)</c>, <c>gggg,eeee</c> or <c>ggggeeee</c> (hexadecimal).</summary>
    public static DicomTag Parse(string text)
    {
        if (TryParse(text, out var tag))
        {
            return tag;
        }
        throw new FormatException($"'{text}' is not a DICOM tag; write it as (gggg,eeee) in hexadecimal, e.g. (0010,0010).");
    }

    /// <summary>Tries to parse <c>(gggg,eeee)</c>, <c>gggg,eeee</c> or <c>ggggeeee</c>.</summary>
    public static bool TryParse(string? text, out DicomTag tag)
    {
        tag = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }
        var s = text.Trim().TrimStart('(').TrimEnd(')').Replace(",", string.Empty, StringComparison.Ordinal);
        if (s.Length != 8 || !uint.TryParse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var v))
        {
            return false;
        }
        tag = new DicomTag((ushort)(v >> 16), (ushort)(v & 0xFFFF));
        return true;
    }

    /// <inheritdoc />
    public int CompareTo(DicomTag other) => Value.CompareTo(other.Value);

    /// <summary>Orders tags as they appear in a data set.</summary>
    public static bool operator <(DicomTag left, DicomTag right) => left.Value < right.Value;

    /// <summary>Orders tags as they appear in a data set.</summary>
    public static bool operator >(DicomTag left, DicomTag right) => left.Value > right.Value;

    /// <summary>Orders tags as they appear in a data set.</summary>
    public static bool operator <=(DicomTag left, DicomTag right) => left.Value <= right.Value;

    /// <summary>Orders tags as they appear in a data set.</summary>
    public static bool operator >=(DicomTag left, DicomTag right) => left.Value >= right.Value;

    /// <summary>The conventional form, <c>(gggg,eeee)</c> in upper-case hexadecimal.</summary>
    public override string ToString() => $"({Group:X4},{Element:X4})";
}

using System.Buffers;
using System.Text;

namespace Midrc.Curation.Dicom;

/// <summary>
/// Decodes text values in a file's Specific Character Set (0008,0005), PS3.5 section 6.1: single character sets
/// (Latin, Cyrillic, Greek, Hebrew, Arabic, Thai, UTF-8, GB18030, GBK) and ISO 2022 code extensions switched by escape
/// sequences (Japanese JIS X 0201/0208/0212, Korean KS X 1001, Chinese GB 2312, and the 8-bit sets).
/// </summary>
public sealed class DicomTextDecoder
{
    private const byte Escape = 0x1B;

    private static readonly Lazy<Encoding> EucJp = new(() => CodePage(51932));
    private static readonly Lazy<Encoding> ShiftJis = new(() => CodePage(932));

    private readonly Charset _initial;
    private readonly bool _codeExtensions;

    static DicomTextDecoder()
    {
        Encoding.RegisterProvider(CodePagesEncodingProvider.Instance);
    }

    private DicomTextDecoder(Charset initial, bool codeExtensions)
    {
        _initial = initial;
        _codeExtensions = codeExtensions;
    }

    /// <summary>The default repertoire (ASCII; bytes above 0x7F are read as Latin-1 rather than lost).</summary>
    public static DicomTextDecoder Default { get; } = new(new Charset(Codec.Ascii, Codec.Latin1), codeExtensions: false);

    /// <summary>The decoder for the values of Specific Character Set (0008,0005); unknown terms fall back to the default.</summary>
    public static DicomTextDecoder ForSpecificCharacterSet(IReadOnlyList<string> terms)
    {
        var cleaned = terms.Select(t => t.Trim().ToUpperInvariant()).ToList();
        if (cleaned.Count == 0 || cleaned.All(t => t.Length == 0))
        {
            return Default;
        }
        var codeExtensions = cleaned.Count > 1 || cleaned[0].StartsWith("ISO 2022", StringComparison.Ordinal);
        var first = Describe(cleaned[0]);
        var initial = first switch
        {
            null => Default._initial,
            { IsG0: true } => new Charset(first.Codec, Codec.Latin1),
            _ => new Charset(Codec.Ascii, first.Codec),
        };
        return new DicomTextDecoder(initial, codeExtensions);
    }

    /// <summary>
    /// Decodes one value field. In person names the designations return to the initial ones after <c>^</c> and <c>=</c>,
    /// as in any text after a line break, tab, form feed or value separator (PS3.5 6.1.2.5.3).
    /// </summary>
    public string Decode(ReadOnlySpan<byte> bytes, bool isPersonName)
    {
        if (!_codeExtensions)
        {
            return _initial.G1.Whole.GetString(bytes);
        }
        return DecodeWithCodeExtensions(bytes, isPersonName);
    }

    private string DecodeWithCodeExtensions(ReadOnlySpan<byte> bytes, bool isPersonName)
    {
        var text = new StringBuilder(bytes.Length);
        var pending = new ArrayBufferWriter<byte>(bytes.Length + 8);
        Codec? current = null;
        var state = _initial;

        void Flush()
        {
            if (current is not null && pending.WrittenCount > 0)
            {
                text.Append(current.Whole.GetString(pending.WrittenSpan));
            }
            pending.Clear();
        }

        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b == Escape)
            {
                Flush();
                var (designation, consumed) = ReadEscape(bytes[(i + 1)..]);
                if (designation is not null)
                {
                    state = designation.IsG0 ? state with { G0 = designation.Codec } : state with { G1 = designation.Codec };
                }
                i += consumed;
                continue;
            }
            if (!state.G0.IsMultiByte && IsDelimiter(b, isPersonName))
            {
                Flush();
                current = null;
                text.Append((char)b);
                state = _initial;
                continue;
            }
            var codec = b < 0x80 ? state.G0 : state.G1;
            if (!ReferenceEquals(codec, current))
            {
                Flush();
                current = codec;
            }
            codec.Append(pending, b);
        }
        Flush();
        return text.ToString();
    }

    private static bool IsDelimiter(byte b, bool isPersonName) =>
        b is 0x0D or 0x0A or 0x09 or 0x0C or (byte)'\\' || (isPersonName && b is (byte)'^' or (byte)'=');

    private static (Designation? Designation, int Consumed) ReadEscape(ReadOnlySpan<byte> afterEscape)
    {
        foreach (var (sequence, designation) in EscapeSequences)
        {
            if (afterEscape.StartsWith(sequence))
            {
                return (designation, sequence.Length);
            }
        }
        return (null, 0);
    }

    private static Designation? Describe(string term) => term switch
    {
        "ISO_IR 6" or "ISO 2022 IR 6" => new Designation(Codec.Ascii, IsG0: true),
        "ISO_IR 100" or "ISO 2022 IR 100" => G1(28591),
        "ISO_IR 101" or "ISO 2022 IR 101" => G1(28592),
        "ISO_IR 109" or "ISO 2022 IR 109" => G1(28593),
        "ISO_IR 110" or "ISO 2022 IR 110" => G1(28594),
        "ISO_IR 144" or "ISO 2022 IR 144" => G1(28595),
        "ISO_IR 127" or "ISO 2022 IR 127" => G1(28596),
        "ISO_IR 126" or "ISO 2022 IR 126" => G1(28597),
        "ISO_IR 138" or "ISO 2022 IR 138" => G1(28598),
        "ISO_IR 148" or "ISO 2022 IR 148" => G1(28599),
        "ISO_IR 203" or "ISO 2022 IR 203" => G1(28605),
        "ISO_IR 166" or "ISO 2022 IR 166" => G1(874),
        "ISO_IR 13" or "ISO 2022 IR 13" => new Designation(Codec.Katakana, IsG0: false),
        "ISO 2022 IR 87" => new Designation(Codec.JisX0208, IsG0: true),
        "ISO 2022 IR 159" => new Designation(Codec.JisX0212, IsG0: true),
        "ISO 2022 IR 149" => G1(949),
        "ISO 2022 IR 58" => G1(936),
        "ISO_IR 192" => G1(65001),
        "GB18030" => G1(54936),
        "GBK" => G1(936),
        _ => null,
    };

    private static Designation G1(int codePage) => new(Codec.Whole8Bit(codePage), IsG0: false);

    private static readonly (byte[] Sequence, Designation Designation)[] EscapeSequences =
    [
        ("(B"u8.ToArray(), new Designation(Codec.Ascii, IsG0: true)),
        ("(J"u8.ToArray(), new Designation(Codec.Ascii, IsG0: true)),
        (")I"u8.ToArray(), new Designation(Codec.Katakana, IsG0: false)),
        ("$B"u8.ToArray(), new Designation(Codec.JisX0208, IsG0: true)),
        ("$@"u8.ToArray(), new Designation(Codec.JisX0208, IsG0: true)),
        ("$(D"u8.ToArray(), new Designation(Codec.JisX0212, IsG0: true)),
        ("$)C"u8.ToArray(), G1(949)),
        ("$)A"u8.ToArray(), G1(936)),
        ("-A"u8.ToArray(), G1(28591)),
        ("-B"u8.ToArray(), G1(28592)),
        ("-C"u8.ToArray(), G1(28593)),
        ("-D"u8.ToArray(), G1(28594)),
        ("-L"u8.ToArray(), G1(28595)),
        ("-G"u8.ToArray(), G1(28596)),
        ("-F"u8.ToArray(), G1(28597)),
        ("-H"u8.ToArray(), G1(28598)),
        ("-M"u8.ToArray(), G1(28599)),
        ("-T"u8.ToArray(), G1(874)),
        ("-b"u8.ToArray(), G1(28605)),
    ];

    private static Encoding CodePage(int codePage) => codePage switch
    {
        65001 => new UTF8Encoding(encoderShouldEmitUTF8Identifier: false),
        28591 => Encoding.Latin1,
        _ => Encoding.GetEncoding(codePage),
    };

    private sealed record Charset(Codec G0, Codec G1);

    private sealed record Designation(Codec Codec, bool IsG0);

    /// <summary>How the bytes of one graphic set become text: the encoding and how to rewrite the bytes for it.</summary>
    private sealed class Codec(Func<Encoding> encoding, bool isMultiByte, byte setHighBit, byte pairPrefix)
    {
        private static readonly Dictionary<int, Codec> ByCodePage = [];
        private readonly Lazy<Encoding> _encoding = new(encoding);

        public static Codec Ascii { get; } = new(() => Encoding.Latin1, isMultiByte: false, setHighBit: 0, pairPrefix: 0);

        public static Codec Latin1 { get; } = Whole8Bit(28591);

        public static Codec Katakana { get; } = new(() => ShiftJis.Value, isMultiByte: false, setHighBit: 0, pairPrefix: 0);

        // JIS X 0208 and 0212 arrive as 7-bit pairs; EUC-JP is the same code with the high bits set (0212 behind 0x8F).
        public static Codec JisX0208 { get; } = new(() => EucJp.Value, isMultiByte: true, setHighBit: 0x80, pairPrefix: 0);

        public static Codec JisX0212 { get; } = new(() => EucJp.Value, isMultiByte: true, setHighBit: 0x80, pairPrefix: 0x8F);

        public Encoding Whole => _encoding.Value;

        public bool IsMultiByte => isMultiByte;

        public static Codec Whole8Bit(int codePage)
        {
            lock (ByCodePage)
            {
                if (!ByCodePage.TryGetValue(codePage, out var codec))
                {
                    codec = new Codec(() => CodePage(codePage), isMultiByte: false, setHighBit: 0, pairPrefix: 0);
                    ByCodePage[codePage] = codec;
                }
                return codec;
            }
        }

        public void Append(ArrayBufferWriter<byte> pending, byte b)
        {
            if (pairPrefix != 0 && pending.WrittenCount % 3 == 0)
            {
                pending.Write([pairPrefix]);
            }
            pending.Write([(byte)(b | setHighBit)]);
        }
    }
}

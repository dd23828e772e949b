using System.Buffers.Binary;
using System.Text;
using Midrc.Curation.Dicom;
using Midrc.Curation.Tests.Oracles;

namespace Midrc.Curation.Tests.Dicom;

/// <summary>The native header walk on files built byte by byte, for cases pydicom's test files do not have.</summary>
public sealed class NativeHeaderWalkTests : IDisposable
{
    private const string ExplicitLittleEndian = "1.2.840.10008.1.2.1";
    private const string ImplicitLittleEndian = "1.2.840.10008.1.2";
    private readonly GdcmDicomReader _reader = new();
    private readonly TemporaryDirectory _dir = new();

    [Theory]
    [InlineData(100_000)]
    [InlineData(6_000_000)]
    public void Read_DecodesTheWholeValue_WhenTheHeaderIsLargerThanTheWalksBuffer(int textBytes)
    {
        var text = string.Concat(Enumerable.Repeat("0123456789", textBytes / 10));
        var file = new HandMadeDicom(ExplicitLittleEndian)
            .Element(0x0008, 0x0060, "CS", "CT")
            .Element(0x0010, 0x0010, "PN", "Doe^Jane")
            .Element(0x0020, 0x4000, "UT", text)
            .Element(0x0028, 0x0010, "US", BitConverter.GetBytes((ushort)512));
        var path = file.Write(Path.Combine(_dir, "large-header.dcm"));

        var view = _reader.Read(path);
        var small = _reader.Read(TestData.Resolve("CT_small.dcm"));

        view.Dataset.GetString(new DicomTag(0x0020, 0x4000)).ShouldBe(text);
        view.Dataset.GetString(new DicomTag(0x0010, 0x0010)).ShouldBe("Doe^Jane");
        view.Dataset.Find(new DicomTag(0x0028, 0x0010)).ShouldNotBeNull().Text.ShouldBe("512");
        small.Dataset.GetString(new DicomTag(0x0010, 0x0010)).ShouldBe("CompressedSamples^CT1");
    }

    // An implicit VR private element whose creator no dictionary knows is UN, as pydicom reads it: a length, no values.
    [Theory]
    [InlineData(ExplicitLittleEndian, "LO")]
    [InlineData(ImplicitLittleEndian, "UN")]
    public void Read_WalksNestedPrivateSequences_WithPathsIntoEveryItem(string transferSyntax, string privateVr)
    {
        var inner = new HandMadeDicom(transferSyntax)
            .Element(0x0009, 0x0010, "LO", "MIDRC TEST")
            .Element(0x0010, 0x0010, "PN", "Doe^Jane");
        var outer = new HandMadeDicom(transferSyntax)
            .Element(0x0009, 0x0010, "LO", "MIDRC TEST")
            .Element(0x0009, 0x1002, "LO", "first item")
            .Sequence(0x0009, 0x1003, inner);
        var path = new HandMadeDicom(transferSyntax)
            .Element(0x0008, 0x0060, "CS", "CT")
            .Element(0x0009, 0x0010, "LO", "MIDRC TEST")
            .Sequence(0x0009, 0x1001, outer, new HandMadeDicom(transferSyntax).Element(0x0009, 0x1002, "LO", "second item"))
            .Element(0x0010, 0x0020, "LO", "UCH-0001")
            .Write(Path.Combine(_dir, "nested-private.dcm"));

        var view = _reader.Read(path);

        var sequence = view.Dataset.Find(new DicomTag(0x0009, 0x1001)).ShouldNotBeNull();
        (sequence.Keyword, sequence.Items.Count).ShouldBe(("", 2));
        var byPath = view.Dataset.Walk().ToDictionary(e => e.Path);
        var first = byPath["(0009,1001)[0].(0009,1002)"];
        (first.Vr, first.Length, first.Text).ShouldBe((privateVr, 10, privateVr == "LO" ? "first item" : ""));
        byPath["(0009,1001)[1].(0009,1002)"].Length.ShouldBe(12);
        var nestedName = byPath["(0009,1001)[0].(0009,1003)[0].(0010,0010)"];
        (nestedName.Vr, nestedName.Keyword, nestedName.Text).ShouldBe(("PN", "PatientName", "Doe^Jane"));
        byPath["(0010,0020)"].Text.ShouldBe("UCH-0001");
    }

    [Fact]
    public void Read_MatchesPydicom_OnAHandMadeNestedPrivateSequence()
    {
        var path = new HandMadeDicom(ExplicitLittleEndian)
            .Element(0x0009, 0x0010, "LO", "MIDRC TEST")
            .Sequence(0x0009, 0x1001, new HandMadeDicom(ExplicitLittleEndian).Element(0x0008, 0x0104, "LO", "inside").Element(0x0010, 0x0010, "PN", "Roe^Richard"))
            .Write(Path.Combine(_dir, "pydicom-private.dcm"));

        _reader.Read(path).ShouldMatchPydicom();
    }

    [Fact]
    public void Resolve_ThrowsSayingWhatToInstall_WhenTheLibraryIsNowhere()
    {
        using var empty = new TemporaryDirectory();

        var error = Should.Throw<GdcmUnavailableException>(() => NativeHeaderWalk.Resolve([empty]));

        error.Message.ShouldContain(NativeHeaderWalk.FileName);
        error.Message.ShouldContain(empty.Path);
        error.Message.ShouldContain("libgdcm-dev");
    }

    public void Dispose() => _dir.Dispose();

    /// <summary>A little endian DICOM file (or sequence item) written byte by byte; undefined lengths for sequences and items.</summary>
    private sealed class HandMadeDicom(string transferSyntax)
    {
        private static readonly HashSet<string> LongLengthVrs = ["OB", "OW", "SQ", "UN", "UT"];
        private readonly MemoryStream _body = new();
        private readonly bool _explicit = transferSyntax == ExplicitLittleEndian;

        public HandMadeDicom Element(ushort group, ushort element, string vr, string value) =>
            Element(group, element, vr, Encoding.ASCII.GetBytes(value.Length % 2 == 0 ? value : value + " "));

        public HandMadeDicom Element(ushort group, ushort element, string vr, byte[] value)
        {
            Header(_body, group, element, vr, (uint)value.Length, _explicit);
            _body.Write(value);
            return this;
        }

        public HandMadeDicom Sequence(ushort group, ushort element, params HandMadeDicom[] items)
        {
            Header(_body, group, element, "SQ", 0xFFFFFFFF, _explicit);
            foreach (var item in items)
            {
                Tag(_body, 0xFFFE, 0xE000, 0xFFFFFFFF);
                _body.Write(item._body.ToArray());
                Tag(_body, 0xFFFE, 0xE00D, 0);
            }
            Tag(_body, 0xFFFE, 0xE0DD, 0);
            return this;
        }

        public string Write(string path)
        {
            var meta = new MemoryStream();
            var syntax = Encoding.ASCII.GetBytes(transferSyntax + (transferSyntax.Length % 2 == 0 ? "" : "\0"));
            Header(meta, 0x0002, 0x0010, "UI", (uint)syntax.Length, isExplicit: true);
            meta.Write(syntax);
            using var file = File.Create(path);
            file.Write(new byte[128]);
            file.Write("DICM"u8);
            Header(file, 0x0002, 0x0000, "UL", 4, isExplicit: true);
            file.Write(BitConverter.GetBytes((uint)meta.Length));
            file.Write(meta.ToArray());
            file.Write(_body.ToArray());
            return path;
        }

        private static void Header(Stream to, ushort group, ushort element, string vr, uint length, bool isExplicit)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, group);
            BinaryPrimitives.WriteUInt16LittleEndian(bytes[2..], element);
            to.Write(bytes);
            if (!isExplicit)
            {
                to.Write(BitConverter.GetBytes(length));
                return;
            }
            to.Write(Encoding.ASCII.GetBytes(vr));
            if (LongLengthVrs.Contains(vr))
            {
                to.Write(stackalloc byte[2]);
                to.Write(BitConverter.GetBytes(length));
                return;
            }
            to.Write(BitConverter.GetBytes((ushort)length));
        }

        private static void Tag(Stream to, ushort group, ushort element, uint length) => Header(to, group, element, "", length, isExplicit: false);
    }
}

using System.Diagnostics;
using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Dicom;

public sealed class GdcmDicomReaderTests
{
    private static readonly DicomTag PatientName = new(0x0010, 0x0010);
    private static readonly DicomTag Rows = new(0x0028, 0x0010);
    private readonly GdcmDicomReader _reader = new();

    [Fact]
    public void Read_ReturnsHeaderAndMetaWithoutPixelData_ForExplicitLittleEndianCt()
    {
        var view = _reader.Read(TestData.Resolve("CT_small.dcm"));

        view.TransferSyntaxUid.ShouldBe("1.2.840.10008.1.2.1");
        view.HasPixelData.ShouldBeTrue();
        view.Dataset.Contains(DicomTag.PixelData).ShouldBeFalse();
        view.FileMeta.Elements.ShouldAllBe(e => e.Tag.Group == 0x0002);
        view.Dataset.GetString(PatientName).ShouldBe("CompressedSamples^CT1");
        var rows = view.Dataset.Find(Rows).ShouldNotBeNull();
        (rows.Vr, rows.Keyword, rows.Path, rows.Text).ShouldBe(("US", "Rows", "(0028,0010)", "128"));
    }

    [Fact]
    public void Read_TakesVrFromDictionary_WhenFileIsImplicitVr()
    {
        var view = _reader.Read(TestData.Resolve("MR_small_implicit.dcm"));

        view.TransferSyntaxUid.ShouldBe("1.2.840.10008.1.2");
        var rows = view.Dataset.Find(Rows).ShouldNotBeNull();
        (rows.Vr, rows.Keyword, rows.Text).ShouldBe(("US", "Rows", "64"));
        view.Dataset.Find(new DicomTag(0x0028, 0x0107)).ShouldNotBeNull().Vr.ShouldBe("SS");
        view.Dataset.Find(PatientName).ShouldNotBeNull().Vr.ShouldBe("PN");
    }

    [Theory]
    [InlineData("MR_small_bigendian.dcm")]
    [InlineData("MR_small_implicit.dcm")]
    public void Read_DecodesTheSameValues_WhateverTheTransferSyntax(string variant)
    {
        var reference = _reader.Read(TestData.Resolve("MR_small.dcm")).Dataset.Elements.ToDictionary(e => e.Tag);

        var view = _reader.Read(TestData.Resolve(variant));

        view.Dataset.Elements.Count.ShouldBe(reference.Count);
        foreach (var element in view.Dataset.Elements)
        {
            element.Values.ShouldBe(reference[element.Tag].Values, element.Path);
            element.Vr.ShouldBe(reference[element.Tag].Vr, element.Path);
        }
    }

    [Theory]
    [InlineData("CT_small.dcm")]
    [InlineData("MR_small_bigendian.dcm")]
    [InlineData("rtplan.dcm")]
    [InlineData("rtstruct.dcm")]
    [InlineData("test-SR.dcm")]
    [InlineData("image_dfl.dcm")]
    [InlineData("ExplVR_LitEndNoMeta.dcm")]
    [InlineData("ExplVR_BigEndNoMeta.dcm")]
    public void Read_DecodesEveryTextElementAtEveryDepthLikePydicom(string name)
    {
        _reader.Read(TestData.Resolve(name)).ShouldMatchPydicom();
    }

    [Fact]
    public void Read_GivesPathsWithZeroBasedItemIndexes_InNestedSequences()
    {
        var view = _reader.Read(TestData.Resolve("rtplan.dcm"));

        var beamName = view.Dataset.Walk().First(e => e.Keyword == "BeamName");
        beamName.Path.ShouldBe("(300A,00B0)[0].(300A,00C2)");
        var nested = view.Dataset.Walk().Where(e => e.Path.Count(c => c == '[') >= 2).ToList();
        nested.ShouldNotBeEmpty();
        view.Dataset.Find(new DicomTag(0x300A, 0x00B0)).ShouldNotBeNull().Vr.ShouldBe("SQ");
    }

    [Fact]
    public void Read_GivesLengthButNoValues_ForBinaryElements()
    {
        var view = _reader.Read(TestData.Resolve("CT_small.dcm"));

        var version = view.FileMeta.Find(new DicomTag(0x0002, 0x0001)).ShouldNotBeNull();
        version.Vr.ShouldBe("OB");
        version.Length.ShouldBe(2);
        version.Values.ShouldBeEmpty();
    }

    [Fact]
    public void Read_ReportsNoTransferSyntaxButReadsTheDataSet_WhenFileHasNoMeta()
    {
        var view = _reader.Read(TestData.Resolve("ExplVR_LitEndNoMeta.dcm"));

        view.TransferSyntaxUid.ShouldBeEmpty();
        view.Dataset.Elements.Count.ShouldBeGreaterThan(10);
    }

    [Fact]
    public void Read_GivesTheSameResults_WhenTwoThreadsReadAtOnce()
    {
        var files = TestData.AllPydicomFiles().Where(f => Readable(f)).ToList();
        var sequential = files.Select(f => _reader.Read(f).Dataset.Walk().Count()).ToList();

        var parallel = files.AsParallel().AsOrdered().WithDegreeOfParallelism(2).Select(f => _reader.Read(f).Dataset.Walk().Count()).ToList();

        parallel.ShouldBe(sequential);
    }

    private bool Readable(string path)
    {
        try
        {
            _reader.Read(path);
            return true;
        }
        catch (DicomReadException)
        {
            return false;
        }
    }
}

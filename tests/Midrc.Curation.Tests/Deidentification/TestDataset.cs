using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Deidentification;

/// <summary>
/// Builds in-memory data sets for tests: <c>TestDataset.Create().With(0x00100010, "PN", "SMITH^JOHN")</c>,
/// sequences with nested items, private blocks; paths are filled in as a reader would.
/// </summary>
internal sealed class TestDataset
{
    private static readonly Dictionary<uint, string> Keywords = new()
    {
        [0x00080008] = "ImageType", [0x00080016] = "SOPClassUID", [0x00080018] = "SOPInstanceUID",
        [0x00080020] = "StudyDate", [0x00080050] = "AccessionNumber", [0x00080060] = "Modality",
        [0x00080090] = "ReferringPhysicianName", [0x00081030] = "StudyDescription", [0x0008103E] = "SeriesDescription",
        [0x00081120] = "ReferencedPatientSequence", [0x00100010] = "PatientName", [0x00100020] = "PatientID",
        [0x00100040] = "PatientSex", [0x001021B0] = "AdditionalPatientHistory", [0x00120062] = "PatientIdentityRemoved",
        [0x00120063] = "DeidentificationMethod", [0x00180015] = "BodyPartExamined", [0x0020000D] = "StudyInstanceUID",
        [0x0020000E] = "SeriesInstanceUID", [0x00200052] = "FrameOfReferenceUID", [0x00204000] = "ImageComments",
        [0x00280010] = "Rows", [0x00280011] = "Columns", [0x00280301] = "BurnedInAnnotation",
        [0x00400275] = "RequestAttributesSequence", [0x60004000] = "OverlayComments", [0x60003000] = "OverlayData",
    };

    private readonly SortedDictionary<uint, Pending> _elements = [];

    private sealed record Pending(string Vr, string[] Values, TestDataset[] Items, long Length);

    public static TestDataset Create() => new();

    /// <summary>Sets an element (replacing one with the same tag).</summary>
    public TestDataset With(uint tag, string vr, params string[] values)
    {
        _elements[tag] = new Pending(vr, values, [], values.Sum(v => v.Length + 1) & ~1);
        return this;
    }

    /// <summary>Sets a binary element (OB/OW): no decoded values, only a length.</summary>
    public TestDataset WithBinary(uint tag, string vr, long length)
    {
        _elements[tag] = new Pending(vr, [], [], length);
        return this;
    }

    /// <summary>Sets a sequence with these items.</summary>
    public TestDataset WithSequence(uint tag, params TestDataset[] items)
    {
        _elements[tag] = new Pending("SQ", [], items, 0);
        return this;
    }

    /// <summary>Removes an element.</summary>
    public TestDataset Without(uint tag)
    {
        _elements.Remove(tag);
        return this;
    }

    /// <summary>The data set, with element paths under <paramref name="prefix"/>.</summary>
    public DicomDataset Build(string prefix = "") => new(_elements.Select(kv =>
    {
        var tag = new DicomTag((ushort)(kv.Key >> 16), (ushort)(kv.Key & 0xFFFF));
        var path = prefix + tag;
        return new DicomElement
        {
            Tag = tag,
            Vr = kv.Value.Vr,
            Keyword = Keywords.GetValueOrDefault(kv.Key, ""),
            Path = path,
            Values = kv.Value.Values,
            Items = [.. kv.Value.Items.Select((item, i) => item.Build($"{path}[{i}]."))],
            Length = kv.Value.Length,
        };
    }));

    /// <summary>A file view holding this data set.</summary>
    public DicomFileView ToFile(string path = "file.dcm", bool hasPixelData = true)
    {
        var dataset = Build();
        var sopInstance = dataset.GetString(new DicomTag(0x0008, 0x0018)) ?? "";
        return new DicomFileView
        {
            SourcePath = path,
            TransferSyntaxUid = "1.2.840.10008.1.2.1",
            FileMeta = Create().With(0x00020003, "UI", sopInstance).With(0x00020010, "UI", "1.2.840.10008.1.2.1").Build(),
            Dataset = dataset,
            HasPixelData = hasPixelData,
        };
    }
}

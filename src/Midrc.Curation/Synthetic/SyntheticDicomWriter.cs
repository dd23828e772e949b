using System.Buffers.Binary;
using System.Globalization;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;
using Midrc.Curation.Dicom;

namespace Midrc.Curation.Synthetic;

/// <summary>
/// Writes valid, de-identified synthetic DICOM through GDCM (explicit VR little endian) for the demo program, tests and
/// benchmarks: chest radiographs (CR or DX) and CT series with contiguous slices. No real patient data is involved:
/// patients are pseudonyms like <c>SITE-0001</c>, Patient Identity Removed is YES and every UID is fresh.
/// </summary>
public sealed class SyntheticDicomWriter(SyntheticDicomOptions? options = null)
{
    private const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";
    private const string ComputedRadiographyStorage = "1.2.840.10008.5.1.4.1.1.1";
    private const string DigitalXRayForPresentationStorage = "1.2.840.10008.5.1.4.1.1.1.1";
    private const string CtImageStorage = "1.2.840.10008.5.1.4.1.1.2";

    private readonly SyntheticDicomOptions _options = options ?? new SyntheticDicomOptions();

    /// <summary>The pseudonymous patient id for a patient number, e.g. <c>SITE-0001</c>.</summary>
    public string PatientId(int patientNumber) => $"{_options.SiteCode}-{patientNumber:D4}";

    /// <summary>A fresh UID under the configured root.</summary>
    public string NewUid()
    {
        if (_options.UidRoot == "2.25")
        {
            Span<byte> uuid = stackalloc byte[16];
            Guid.NewGuid().TryWriteBytes(uuid, bigEndian: true, out _);
            return "2.25." + new BigInteger(uuid, isUnsigned: true, isBigEndian: true).ToString(CultureInfo.InvariantCulture);
        }
        var suffix = new BigInteger(RandomNumberGenerator.GetBytes(12), isUnsigned: true);
        var uid = $"{_options.UidRoot}.{suffix.ToString(CultureInfo.InvariantCulture)}";
        return uid.Length <= 64 ? uid : throw new InvalidOperationException($"The UID root '{_options.UidRoot}' is too long to make UIDs of at most 64 characters.");
    }

    /// <summary>Writes one chest radiograph (<c>chest.dcm</c>) of a new study into <paramref name="directory"/>.</summary>
    public SyntheticSeries WriteChestRadiograph(string directory, int patientNumber = 1)
    {
        Directory.CreateDirectory(directory);
        var study = new Study(PatientId(patientNumber), NewUid(), NewUid(), patientNumber);
        var size = _options.ChestSize;
        var isCr = _options.ChestModality == "CR";
        var image = Common(study, _options.ChestModality, isCr ? ComputedRadiographyStorage : DigitalXRayForPresentationStorage, "XR CHEST 1 VIEW", "PA", instanceNumber: 1);
        image.Text(0x0008, 0x0068, "CS", "FOR PRESENTATION");
        image.Text(0x0018, 0x1164, "DS", "0.15\\0.15");
        image.Text(0x0018, 0x5101, "CS", "PA");
        image.Text(0x0020, 0x0020, "CS", "P\\F");
        image.Text(0x0028, 0x0030, "DS", "0.15\\0.15");
        var path = Path.Combine(directory, "chest.dcm");
        Pixels(image, size, bitsStored: 12, (x, y) => (ushort)((x + y) * 4095 / (2 * size - 2)));
        Write(image, path);
        return new SyntheticSeries(study.PatientId, study.StudyUid, study.SeriesUid, [path]);
    }

    /// <summary>Writes a CT series of <paramref name="sliceCount"/> contiguous axial slices (<c>ct-0001.dcm</c>, ...) into <paramref name="directory"/>.</summary>
    public SyntheticSeries WriteCtSeries(string directory, int sliceCount, int patientNumber = 1)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sliceCount, 1);
        Directory.CreateDirectory(directory);
        var study = new Study(PatientId(patientNumber), NewUid(), NewUid(), patientNumber);
        var frameOfReference = NewUid();
        var size = _options.CtSize;
        var thickness = _options.SliceThickness;
        var files = new List<string>(sliceCount);
        for (var slice = 0; slice < sliceCount; slice++)
        {
            var image = Common(study, "CT", CtImageStorage, "CT CHEST WO CONTRAST", "AXIAL 2.5", instanceNumber: slice + 1);
            var z = Ds(-slice * thickness);
            image.Text(0x0018, 0x0050, "DS", Ds(thickness));
            image.Text(0x0018, 0x0060, "DS", "120");
            image.Text(0x0020, 0x0032, "DS", $"-160\\-160\\{z}");
            image.Text(0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
            image.Text(0x0020, 0x0052, "UI", frameOfReference);
            image.Text(0x0020, 0x1040, "LO", "");
            image.Text(0x0020, 0x1041, "DS", z);
            image.Text(0x0028, 0x0030, "DS", Ds(320.0 / size) + "\\" + Ds(320.0 / size));
            image.Text(0x0028, 0x1052, "DS", "-1024");
            image.Text(0x0028, 0x1053, "DS", "1");
            Pixels(image, size, bitsStored: 12, (x, y) => (ushort)(((x * 7) + (y * 5) + (slice * 11)) % 2048));
            var path = Path.Combine(directory, $"ct-{slice + 1:D4}.dcm");
            Write(image, path);
            files.Add(path);
        }
        return new SyntheticSeries(study.PatientId, study.StudyUid, study.SeriesUid, files);
    }

    private Elements Common(Study study, string modality, string sopClass, string studyDescription, string seriesDescription, int instanceNumber)
    {
        var e = new Elements();
        e.Text(0x0008, 0x0005, "CS", "ISO_IR 192");
        e.Text(0x0008, 0x0008, "CS", "ORIGINAL\\PRIMARY" + (modality == "CT" ? "\\AXIAL" : ""));
        e.Text(0x0008, 0x0016, "UI", sopClass);
        e.Text(0x0008, 0x0018, "UI", NewUid());
        // Shifted as the program's anonymizer settings shift them: well before the real collection period.
        e.Text(0x0008, 0x0020, "DA", "20080315");
        e.Text(0x0008, 0x0030, "TM", "101500");
        e.Text(0x0008, 0x0050, "SH", "");
        e.Text(0x0008, 0x0060, "CS", modality);
        e.Text(0x0008, 0x0070, "LO", "Midrc Synthetic");
        e.Text(0x0008, 0x0090, "PN", "");
        e.Text(0x0008, 0x1030, "LO", studyDescription);
        e.Text(0x0008, 0x103E, "LO", seriesDescription);
        e.Text(0x0010, 0x0010, "PN", study.PatientId);
        e.Text(0x0010, 0x0020, "LO", study.PatientId);
        e.Text(0x0010, 0x0030, "DA", "");
        e.Text(0x0010, 0x0040, "CS", study.PatientNumber % 2 == 0 ? "F" : "M");
        e.Text(0x0010, 0x1010, "AS", "055Y");
        e.Text(0x0012, 0x0062, "CS", "YES");
        e.Text(0x0012, 0x0063, "LO", "Synthetic image generated by Midrc.Curation; no real patient data");
        e.Text(0x0018, 0x0015, "CS", "CHEST");
        e.Text(0x0020, 0x000D, "UI", study.StudyUid);
        e.Text(0x0020, 0x000E, "UI", study.SeriesUid);
        e.Text(0x0020, 0x0010, "SH", "");
        e.Text(0x0020, 0x0011, "IS", "1");
        e.Text(0x0020, 0x0013, "IS", instanceNumber.ToString(CultureInfo.InvariantCulture));
        e.Text(0x0028, 0x0004, "CS", "MONOCHROME2");
        e.Text(0x0028, 0x0301, "CS", "NO");
        return e;
    }

    private static void Pixels(Elements e, int size, ushort bitsStored, Func<int, int, ushort> value)
    {
        e.UnsignedShort(0x0028, 0x0002, 1);
        e.UnsignedShort(0x0028, 0x0010, (ushort)size);
        e.UnsignedShort(0x0028, 0x0011, (ushort)size);
        e.UnsignedShort(0x0028, 0x0100, 16);
        e.UnsignedShort(0x0028, 0x0101, bitsStored);
        e.UnsignedShort(0x0028, 0x0102, (ushort)(bitsStored - 1));
        e.UnsignedShort(0x0028, 0x0103, 0);
        var pixels = new byte[size * size * 2];
        for (var y = 0; y < size; y++)
        {
            for (var x = 0; x < size; x++)
            {
                BinaryPrimitives.WriteUInt16LittleEndian(pixels.AsSpan(((y * size) + x) * 2), value(x, y));
            }
        }
        e.Binary(DicomTag.PixelData.Group, DicomTag.PixelData.Element, "OW", pixels);
    }

    private static void Write(Elements elements, string path)
    {
        GdcmRuntime.EnsureBinding();
        WriteWithGdcm(elements, path);
    }

    // Separate so that no GDCM type is touched before EnsureBinding has run.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void WriteWithGdcm(Elements elements, string path)
    {
        using var writer = new gdcm.Writer();
        var file = writer.GetFile();
        var dataset = file.GetDataSet();
        foreach (var (tag, vr, value) in elements.All)
        {
            using var gdcmTag = new gdcm.Tag(tag.Group, tag.Element);
            using var element = new gdcm.DataElement(gdcmTag);
            using var gdcmVr = new gdcm.VR(gdcm.VR.GetVRType(vr));
            using var length = new gdcm.VL((uint)value.Length);
            element.SetVR(gdcmVr);
            element.SetByteValue(value, length);
            dataset.Insert(element);
        }
        using var transferSyntax = new gdcm.TransferSyntax(gdcm.TransferSyntax.TSType.ExplicitVRLittleEndian);
        file.GetHeader().SetDataSetTransferSyntax(transferSyntax);
        writer.SetFileName(path);
        if (!writer.Write())
        {
            throw new IOException($"GDCM could not write the synthetic DICOM file '{path}'; check that the folder is writable and has space.");
        }
    }

    private static string Ds(double value) => value.ToString("0.######", CultureInfo.InvariantCulture);

    private sealed record Study(string PatientId, string StudyUid, string SeriesUid, int PatientNumber);

    /// <summary>Elements to write, values already encoded and padded to even length as PS3.5 requires.</summary>
    private sealed class Elements
    {
        public List<(DicomTag Tag, string Vr, byte[] Value)> All { get; } = [];

        public void Text(ushort group, ushort element, string vr, string value)
        {
            var bytes = Encoding.UTF8.GetBytes(value);
            if (bytes.Length % 2 == 1)
            {
                bytes = [.. bytes, vr == "UI" ? (byte)0 : (byte)' '];
            }
            All.Add((new DicomTag(group, element), vr, bytes));
        }

        public void UnsignedShort(ushort group, ushort element, ushort value)
        {
            var bytes = new byte[2];
            BinaryPrimitives.WriteUInt16LittleEndian(bytes, value);
            All.Add((new DicomTag(group, element), "US", bytes));
        }

        public void Binary(ushort group, ushort element, string vr, byte[] value) => All.Add((new DicomTag(group, element), vr, value));
    }
}

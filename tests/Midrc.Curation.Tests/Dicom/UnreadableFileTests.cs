using System.Buffers.Binary;
using System.Diagnostics;
using Midrc.Curation.Dicom;

namespace Midrc.Curation.Tests.Dicom;

public sealed class UnreadableFileTests : IDisposable
{
    private readonly GdcmDicomReader _reader = new();
    private readonly TemporaryDirectory _dir = new();

    [Fact]
    public void Read_ThrowsSayingTheFileIsEmpty_WhenItHasNoBytes()
    {
        var path = Path.Combine(_dir, "empty.dcm");
        File.WriteAllBytes(path, []);

        Should.Throw<DicomReadException>(() => _reader.Read(path)).Message.ShouldContain("is empty (0 bytes)");
    }

    [Fact]
    public void Read_ThrowsSayingItIsNotDicom_WhenGivenAText()
    {
        var path = Path.Combine(_dir, "notes.dcm");
        File.WriteAllText(path, string.Concat(Enumerable.Repeat("Patient notes, not an image. ", 20)));

        Should.Throw<DicomReadException>(() => _reader.Read(path)).Message.ShouldContain("is not a DICOM file");
    }

    [Fact]
    public void Read_ThrowsSayingItIsTruncated_WhenFileIsCutShort()
    {
        var source = File.ReadAllBytes(TestData.Resolve("CT_small.dcm"));
        var path = Path.Combine(_dir, "cut.dcm");
        File.WriteAllBytes(path, source[..700]);

        Should.Throw<DicomReadException>(() => _reader.Read(path)).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Read_RejectsFastWithoutAllocating_WhenAnElementDeclaresGigabytesInASmallFile()
    {
        var path = WithLengthOfPatientName(0x4D7C6D00u); // 1.3 GB
        var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
        var clock = Stopwatch.StartNew();

        var error = Should.Throw<DicomReadException>(() => _reader.Read(path));

        clock.Elapsed.ShouldBeLessThan(TimeSpan.FromSeconds(1));
        (GC.GetAllocatedBytesForCurrentThread() - allocatedBefore).ShouldBeLessThan(10_000_000);
        error.Message.ShouldContain("(0010,0010) declares 1,300,000,000 bytes");
    }

    [Fact]
    public void Read_RejectsAnElementAboveTheConfiguredLimit_EvenWhenTheFileHoldsIt()
    {
        var reader = new GdcmDicomReader(new DicomReaderOptions { MaxElementBytes = 8 });

        var error = Should.Throw<DicomReadException>(() => reader.Read(TestData.Resolve("CT_small.dcm")));

        error.Message.ShouldContain("above the limit of 8 bytes");
    }

    [Fact]
    public void Read_RejectsTheFile_WhenItIsAboveTheFileSizeLimit()
    {
        var reader = new GdcmDicomReader(new DicomReaderOptions { MaxFileBytes = 1000 });

        Should.Throw<DicomReadException>(() => reader.Read(TestData.Resolve("CT_small.dcm"))).Message.ShouldContain("above the limit of 1,000 bytes");
    }

    [Theory]
    [InlineData("rtplan_truncated.dcm")]
    [InlineData("MR_truncated.dcm")]
    public void Read_RejectsPydicomsTruncatedFiles(string name)
    {
        Should.Throw<DicomReadException>(() => _reader.Read(TestData.Resolve(name))).Message.ShouldContain("truncated");
    }

    [Fact]
    public void Read_ThrowsSayingItDoesNotExist_WhenThePathIsWrong()
    {
        Should.Throw<DicomReadException>(() => _reader.Read(Path.Combine(_dir, "missing.dcm"))).Message.ShouldContain("does not exist");
    }

    [Fact]
    public void Read_ThrowsSayingItCannotBeOpened_WhenThePathIsAFolder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "series.dcm")).FullName;

        Should.Throw<DicomReadException>(() => _reader.Read(folder)).Message.ShouldContain("'series.dcm' does not exist or cannot be opened");
    }

    /// <summary>A copy of CT_small.dcm whose Patient Name (explicit VR, 16-bit length) is rewritten as a UN with this 32-bit length.</summary>
    private string WithLengthOfPatientName(uint length)
    {
        var bytes = File.ReadAllBytes(TestData.Resolve("CT_small.dcm"));
        var at = bytes.AsSpan().IndexOf(new byte[] { 0x10, 0x00, 0x10, 0x00, (byte)'P', (byte)'N' });
        at.ShouldBeGreaterThan(0);
        var patched = bytes[..at].Concat(new byte[] { 0x10, 0x00, 0x10, 0x00, (byte)'U', (byte)'N', 0, 0, 0, 0, 0, 0 }).Concat(bytes[(at + 8)..]).ToArray();
        BinaryPrimitives.WriteUInt32LittleEndian(patched.AsSpan(at + 8), length);
        var path = Path.Combine(_dir, "absurd-length.dcm");
        File.WriteAllBytes(path, patched);
        return path;
    }

    public void Dispose() => _dir.Dispose();
}

namespace Midrc.Curation.Tests;

/// <summary>Finds the real DICOM files the tests read: pydicom's test data and files generated per test run.</summary>
internal static class TestData
{
    public const string PydicomData = "/usr/lib/python3/dist-packages/pydicom/data";

    /// <summary>A file from pydicom's <c>test_files</c>, e.g. <c>CT_small.dcm</c>.</summary>
    public static string Resolve(string name) => Existing(Path.Combine(PydicomData, "test_files", name));

    /// <summary>A file from pydicom's <c>charset_files</c>, e.g. <c>chrH31.dcm</c>.</summary>
    public static string Charset(string name) => Existing(Path.Combine(PydicomData, "charset_files", name));

    /// <summary>Every <c>.dcm</c> file pydicom ships (test and charset files).</summary>
    public static IEnumerable<string> AllPydicomFiles() =>
        Directory.EnumerateFiles(Path.Combine(PydicomData, "test_files"), "*.dcm")
            .Concat(Directory.EnumerateFiles(Path.Combine(PydicomData, "charset_files"), "*.dcm"))
            .Order(StringComparer.Ordinal);

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Test file {path} is missing; install python3-pydicom (test.sh does).", path);
}

/// <summary>A fresh, empty directory for one test's generated files, deleted with everything in it when the test ends.</summary>
internal sealed class TemporaryDirectory : IDisposable
{
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "midrc-curation-tests", Guid.NewGuid().ToString("N"));

    public TemporaryDirectory() => Directory.CreateDirectory(Path);

    public static implicit operator string(TemporaryDirectory directory) => directory.Path;

    public void Dispose() => Directory.Delete(Path, recursive: true);
}

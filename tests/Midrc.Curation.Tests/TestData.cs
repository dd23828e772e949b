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

    /// <summary>A fresh, empty directory under the system temp folder for one test's generated files.</summary>
    public static string NewDirectory()
    {
        var dir = Path.Combine(Path.GetTempPath(), "midrc-curation-tests", Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        return dir;
    }

    private static string Existing(string path) =>
        File.Exists(path) ? path : throw new FileNotFoundException($"Test file {path} is missing; install python3-pydicom (test.sh does).", path);
}

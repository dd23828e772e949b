using System.Text.Json;
using Midrc.Curation.Dicom;
using Midrc.Curation.Tests.Oracles;

namespace Midrc.Curation.Tests.Dicom;

/// <summary>Compares what our reader decodes with what pydicom decodes from the same file, element by element.</summary>
internal static class PydicomOracle
{
    public static void ShouldMatchPydicom(this DicomFileView view)
    {
        var expected = JsonSerializer.Deserialize<Dictionary<string, string[]>>(
            ExternalTool.Run(ExternalTool.Python, ExternalTool.OracleScript("pydicom_dump.py"), view.SourcePath))!;
        var ours = view.Dataset.Walk().ToDictionary(e => e.Path);
        expected.Count.ShouldBeGreaterThan(0);
        foreach (var (path, values) in expected)
        {
            ours.ShouldContainKey(path);
            // pydicom prints a person name without its empty trailing component groups ("A=B=" as "A=B").
            var actual = ours[path].Vr == "PN" ? ours[path].Values.Select(v => v.TrimEnd('=')) : ours[path].Values;
            actual.ShouldBe(values, $"{path} ({ours[path].Keyword}) in {Path.GetFileName(view.SourcePath)}");
        }
    }
}

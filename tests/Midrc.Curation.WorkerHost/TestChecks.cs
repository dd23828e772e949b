using Midrc.Curation.Dicom;
using Midrc.Curation.Findings;

namespace Midrc.Curation.Tests.WorkerHost;

/// <summary>The checks this test worker runs, chosen by the pool's settings string (comma-separated names).</summary>
public static class TestChecks
{
    /// <summary>Makes the worker abort (like GDCM's failed asserts do) when reading a file whose name contains this.</summary>
    public const string CrashOnVariable = "MIDRC_TEST_WORKER_CRASH_ON";

    /// <summary>Makes the worker hang when reading a file whose name contains this.</summary>
    public const string HangOnVariable = "MIDRC_TEST_WORKER_HANG_ON";

    public static IReadOnlyList<IFileCheck> Create(string settings)
    {
        var checks = new List<IFileCheck> { new MisbehaveOnRequest() };
        if (settings.Split(',').Contains("required-sop-instance-uid"))
        {
            checks.Add(new RequiredAttributeCheck(new DicomTag(0x0008, 0x0018), "SOPInstanceUID"));
        }
        return checks;
    }

    /// <summary>Flags a missing or empty required attribute.</summary>
    public sealed class RequiredAttributeCheck(DicomTag tag, string keyword) : IFileCheck
    {
        public const string Rule = "qa.required-attribute-missing";

        public IEnumerable<Finding> Check(DicomFileView file)
        {
            if (file.Dataset.GetString(tag) is null)
            {
                yield return new Finding
                {
                    File = file.SourcePath,
                    Rule = Rule,
                    Severity = Severity.Error,
                    Tag = tag.ToString(),
                    Path = tag.ToString(),
                    Keyword = keyword,
                    Message = $"{keyword} {tag} is missing or empty.",
                    Hint = $"Export the image again with {keyword} filled in.",
                };
            }
        }
    }

    private sealed class MisbehaveOnRequest : IFileCheck
    {
        public IEnumerable<Finding> Check(DicomFileView file)
        {
            var name = Path.GetFileName(file.SourcePath);
            if (Environment.GetEnvironmentVariable(CrashOnVariable) is { Length: > 0 } crash && name.Contains(crash, StringComparison.Ordinal))
            {
                Environment.FailFast("Test-only crash trigger: simulating a parser abort.");
            }
            if (Environment.GetEnvironmentVariable(HangOnVariable) is { Length: > 0 } hang && name.Contains(hang, StringComparison.Ordinal))
            {
                Thread.Sleep(Timeout.Infinite);
            }
            return [];
        }
    }
}

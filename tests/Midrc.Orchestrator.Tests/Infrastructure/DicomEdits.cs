using System.Diagnostics;

namespace Midrc.Orchestrator.Tests.Infrastructure;

/// <summary>Copies of DICOM files changed by pydicom (Debian's python), an independent toolkit, to give the checks something to find.</summary>
public static class DicomEdits
{
    /// <summary>A copy of <paramref name="file"/> (same SOP Instance) whose Body Part Examined is <paramref name="bodyPart"/>.</summary>
    public static string WithBodyPart(string file, string bodyPart) =>
        Python(Copy(file, bodyPart.ToLowerInvariant()), "-c", "import sys, pydicom; d = pydicom.dcmread(sys.argv[1], force=True); d.BodyPartExamined = sys.argv[3]; d.save_as(sys.argv[2])", file, Copy(file, bodyPart.ToLowerInvariant()), bodyPart);

    /// <summary>Where a copy of <paramref name="file"/> changed in the way <paramref name="suffix"/> names is written.</summary>
    public static string Copy(string file, string suffix) => Path.Combine(Path.GetDirectoryName(file)!, $"{Path.GetFileNameWithoutExtension(file)}-{suffix}.dcm");

    /// <summary>Runs Debian's python (which has pydicom); returns <paramref name="output"/>, the file it writes.</summary>
    public static string Python(string output, params string[] arguments)
    {
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start)!;
        var errors = process.StandardError.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, errors);
        return output;
    }
}

using System.Diagnostics;

namespace Midrc.Curation.Tests.Oracles;

/// <summary>Runs the independent oracles (pydicom through Debian's python, DCMTK's dcmdump) and returns their output.</summary>
internal static class ExternalTool
{
    /// <summary>Debian's python, which has pydicom (the python first on PATH may not).</summary>
    public const string Python = "/usr/bin/python3";

    public static string Run(string fileName, params string[] arguments)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        process.ExitCode.ShouldBe(0, $"{fileName} {string.Join(' ', arguments)} failed: {stderr.Result}");
        return stdout;
    }

    public static string PythonScript(string script, params string[] arguments) => Run(Python, ["-c", script, .. arguments]);

    public static string OracleScript(string name) => Path.Combine(AppContext.BaseDirectory, "Oracles", name);
}

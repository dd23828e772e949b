using System.Runtime.InteropServices;

namespace Midrc.Cli.Native;

/// <summary>
/// Every command but <c>verify</c> and <c>submit</c> belongs to the managed midrc, published beside this executable in <see cref="Folder"/>
/// (scripts/publish-midrc.sh). This process becomes it (<c>execv</c>): same process, terminal, signals and exit code,
/// and nothing in between.
/// </summary>
internal static partial class ManagedMidrc
{
    /// <summary>The folder, next to the native executable, that holds the managed midrc.</summary>
    public const string Folder = "lib";

    public static int Run(string[] args, TextWriter error)
    {
        var path = Path.Combine(AppContext.BaseDirectory, Folder, "midrc");
        if (!File.Exists(path))
        {
            error.WriteLine($"midrc: '{string.Join(' ', args)}' needs the full midrc, expected at {path}; this native midrc runs only verify and submit by itself. Install both with scripts/publish-midrc.sh.");
            return 2;
        }
        string?[] argv = [path, .. args, null];
        Execv(path, argv);
        error.WriteLine($"midrc: the full midrc at {path} could not be started: {Marshal.GetLastPInvokeErrorMessage()}.");
        return 2;
    }

    [LibraryImport("libc", EntryPoint = "execv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int Execv(string path, string?[] argv);
}

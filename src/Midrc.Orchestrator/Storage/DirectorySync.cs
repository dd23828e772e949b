using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Midrc.Orchestrator.Storage;

/// <summary>
/// Makes directory entries durable. A file's own fsync does not persist its name: after a crash a renamed or newly
/// created entry can be gone although its bytes were flushed, unless the directory holding it was synced too.
/// .NET opens no handle on a directory, so this calls the C library.
/// </summary>
internal static partial class DirectorySync
{
    // O_RDONLY opens a directory as well as a file; O_DIRECTORY is left out because its value differs between
    // architectures (0x10000 on x86-64, 0x4000 on arm64).
    private const int ReadOnly = 0;

    /// <summary>Syncs the directory's entries to disk (nothing to do on Windows, where NTFS journals them).</summary>
    public static void Sync(string directory)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }
        var descriptor = Open(directory, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"Could not open the directory '{directory}' to sync it.", new Win32Exception(Marshal.GetLastPInvokeError()));
        }
        try
        {
            if (FileSync(descriptor) != 0)
            {
                throw new IOException($"Could not sync the directory '{directory}' to disk.", new Win32Exception(Marshal.GetLastPInvokeError()));
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>Creates the directory and any missing parents, each entry synced into its parent before it is used.</summary>
    public static void CreateDurably(string directory)
    {
        if (Directory.Exists(directory))
        {
            return;
        }
        var parent = Path.GetDirectoryName(directory)!;
        CreateDurably(parent);
        Directory.CreateDirectory(directory);
        Sync(parent);
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int FileSync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);
}

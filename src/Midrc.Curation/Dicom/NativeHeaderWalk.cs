using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using Microsoft.Win32.SafeHandles;

namespace Midrc.Curation.Dicom;

/// <summary>
/// The managed end of <c>libmidrc_gdcm_walk.so</c> (source in <c>Native/</c>): GDCM reads a file's header and writes
/// it as one record stream in a single call, instead of a dozen calls through GDCM's C# binding per element.
/// </summary>
internal static partial class NativeHeaderWalk
{
    /// <summary>The library's file name; the build compiles it with g++ and copies it next to this assembly.</summary>
    internal const string FileName = "lib" + LibraryName + ".so";

    private const string LibraryName = "midrc_gdcm_walk";
    private const int AbiVersion = 2;
    private const int Ok = 0;
    private const int Unreadable = 1;
    private const int BufferTooSmall = 2;
    private const int OutOfMemory = 3;
    private const int FirstBufferBytes = 64 * 1024;
    private const int KeptBufferBytes = 4 * 1024 * 1024;
    private const int MaxCachedKeywords = 1 << 16;
    private const string InstallAdvice = "build the project (dotnet build compiles it; it needs g++ and Debian's libgdcm-dev), or run ./run.sh, which installs both";

    private static readonly Lazy<Exception?> Load = new(LoadOnce, LazyThreadSafetyMode.ExecutionAndPublication);
    private static readonly ConcurrentDictionary<uint, string> Keywords = new();
    private static readonly Lock PreloadGate = new();
    private static bool s_preloadSettled;

    // The record stream of the last file read on this thread; reused so that a read allocates only what it returns.
    [ThreadStatic]
    private static byte[]? t_buffer;

    /// <summary>Makes sure the library can be used; cheap after the first call.</summary>
    /// <exception cref="GdcmUnavailableException">The library (or GDCM under it) is missing or cannot be loaded.</exception>
    public static void EnsureAvailable()
    {
        if (Load.Value is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>
    /// Starts loading the library on a pool thread; a failure surfaces at the next <see cref="EnsureAvailable"/>. The
    /// process's exit waits for that load, or keeps it from beginning: GDCM's static constructors (run while the library
    /// loads) and destructors (run by <c>exit</c>) count its instances without a lock, so a process that exits in the
    /// middle of the load aborts on an assertion in <c>gdcm::Global</c>.
    /// </summary>
    public static void PreloadInBackground()
    {
        // Removed first so that a second call does not add a second handler.
        AppDomain.CurrentDomain.ProcessExit -= SettlePreload;
        AppDomain.CurrentDomain.ProcessExit += SettlePreload;
        ThreadPool.UnsafeQueueUserWorkItem(static _ =>
        {
            lock (PreloadGate)
            {
                if (!s_preloadSettled)
                {
                    _ = Load.Value;
                }
            }
        }, null);
    }

    private static void SettlePreload(object? sender, EventArgs e)
    {
        lock (PreloadGate)
        {
            s_preloadSettled = true;
        }
    }

    /// <summary>
    /// The header of the file open on <paramref name="file"/> as a record stream (layout in
    /// <c>Native/midrc_gdcm_walk.h</c>); <paramref name="path"/> names it in messages. The span is valid until the next
    /// walk on the same thread. Call <see cref="EnsureAvailable"/> first.
    /// </summary>
    /// <exception cref="DicomReadException">GDCM could not parse the file.</exception>
    public static ReadOnlySpan<byte> Walk(SafeFileHandle file, string path)
    {
        var buffer = t_buffer ??= new byte[FirstBufferBytes];
        while (true)
        {
            var status = midrc_gdcm_walk(file, ref MemoryMarshal.GetArrayDataReference(buffer), (ulong)buffer.Length, out var written);
            switch (status)
            {
                case Ok:
                    return buffer.AsSpan(0, (int)written);
                case BufferTooSmall when written <= (ulong)Array.MaxLength:
                    // An unusually large header gets a buffer of its own, so one such file does not pin memory for good.
                    buffer = new byte[written];
                    if (buffer.Length <= KeptBufferBytes)
                    {
                        t_buffer = buffer;
                    }
                    continue;
                case Unreadable:
                    throw new DicomReadException(
                        $"'{Path.GetFileName(path)}' could not be parsed as DICOM (GDCM rejected its structure). The file is damaged or is not DICOM; export it again from the source system.");
                case BufferTooSmall or OutOfMemory:
                    throw new DicomReadException(
                        $"'{Path.GetFileName(path)}' has a header too large to read in memory; the file is damaged or not a normal image.");
                default:
                    throw new DicomReadException(
                        $"'{Path.GetFileName(path)}' could not be parsed as DICOM (GDCM failed inside its header, status {status}). The file is damaged; export it again from the source system.");
            }
        }
    }

    /// <summary>The public dictionary's keyword of a tag, e.g. <c>PatientName</c>; empty when it has none.</summary>
    public static string Keyword(DicomTag tag) =>
        Keywords.TryGetValue(tag.Value, out var keyword) ? keyword
        : Keywords.Count < MaxCachedKeywords ? Keywords.GetOrAdd(tag.Value, static t => LookUpKeyword(t))
        : LookUpKeyword(tag.Value);

    private static string LookUpKeyword(uint tag)
    {
        Span<byte> text = stackalloc byte[128];
        var length = midrc_gdcm_keyword(tag, ref MemoryMarshal.GetReference(text), text.Length);
        if (length > text.Length)
        {
            text = new byte[length];
            length = midrc_gdcm_keyword(tag, ref MemoryMarshal.GetReference(text), text.Length);
        }
        return length <= 0 ? "" : Encoding.ASCII.GetString(text[..length]);
    }

    /// <summary>Finds the library next to this assembly (where the build copies it) or next to the application.</summary>
    internal static IntPtr Resolve(IEnumerable<string> searchDirectories)
    {
        var tried = new List<string>();
        foreach (var directory in searchDirectories)
        {
            var candidate = Path.Combine(directory, FileName);
            tried.Add(candidate);
            if (!File.Exists(candidate))
            {
                continue;
            }
            try
            {
                return NativeLibrary.Load(candidate);
            }
            catch (DllNotFoundException e)
            {
                throw new GdcmUnavailableException($"{candidate} could not be loaded ({e.Message}); {InstallAdvice}.", e);
            }
        }
        throw new GdcmUnavailableException($"The DICOM reader's native library {FileName} was not found (looked at {string.Join(", ", tried)}); {InstallAdvice}.");
    }

    private static Exception? LoadOnce()
    {
        // The build copies the library next to every program that uses this assembly (and next to a native `midrc`).
        string[] directories = [AppContext.BaseDirectory];
        try
        {
            NativeLibrary.SetDllImportResolver(typeof(NativeHeaderWalk).Assembly, (name, _, _) => name == LibraryName ? Resolve(directories) : IntPtr.Zero);
            var version = midrc_gdcm_walk_abi_version();
            return version == AbiVersion ? null : new GdcmUnavailableException(
                $"The DICOM reader's native library {FileName} has interface version {version}, and this build expects version {AbiVersion}; it is left over from another build: {InstallAdvice}.");
        }
        catch (GdcmUnavailableException e)
        {
            return e;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return new GdcmUnavailableException($"The DICOM reader's native library {FileName} could not be used: {e.Message} To fix it, {InstallAdvice}.", e);
        }
    }

    [LibraryImport(LibraryName)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int midrc_gdcm_walk_abi_version();

    [LibraryImport(LibraryName)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int midrc_gdcm_walk(SafeFileHandle file, ref byte buffer, ulong capacity, out ulong written);

    [LibraryImport(LibraryName)]
    [UnmanagedCallConv(CallConvs = [typeof(CallConvCdecl)])]
    private static partial int midrc_gdcm_keyword(uint tag, ref byte buffer, int capacity);
}

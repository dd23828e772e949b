using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace Midrc.Curation.Dicom;

/// <summary>
/// Loads GDCM once per process: the header reader's native walk (<c>libmidrc_gdcm_walk.so</c>, built with this library)
/// and Debian's C# binding (<c>gdcm-sharp.dll</c> and its native glue <c>libgdcmsharpglue.so</c>), which the synthetic
/// DICOM writer uses. Every use of the binding in this library goes through <see cref="EnsureBinding"/> first.
/// </summary>
public static class GdcmRuntime
{
    /// <summary>Where Debian's <c>libgdcm-cil</c> package installs the binding.</summary>
    public const string DebianBindingDirectory = "/usr/lib/cli/gdcm-sharp-3.0";

    private const string GlueName = "gdcmsharpglue";
    private const string BindingName = "gdcm-sharp";
    private const string InstallAdvice = "install Debian's libgdcm-cil: apt-get install libgdcm-cil, or run ./run.sh";

    private static readonly Lazy<Exception?> Load = new(LoadOnce, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>
    /// Makes sure GDCM can be used for reading and writing; cheap after the first call. Hosts call it at start-up to
    /// fail early with a clear message.
    /// </summary>
    /// <exception cref="GdcmUnavailableException">The native walk, the binding or its glue is missing or cannot be loaded.</exception>
    public static void EnsureAvailable()
    {
        NativeHeaderWalk.EnsureAvailable();
        EnsureBinding();
    }

    /// <summary>Makes sure the C# binding can be used; cheap after the first call.</summary>
    /// <exception cref="GdcmUnavailableException">The binding or its native glue is missing or cannot be loaded.</exception>
    internal static void EnsureBinding()
    {
        if (Load.Value is { } failure)
        {
            throw failure;
        }
    }

    /// <summary>Finds the native glue library: next to this assembly first, then in Debian's binding directory.</summary>
    internal static IntPtr ResolveGlue(IEnumerable<string> searchDirectories)
    {
        var tried = new List<string>();
        foreach (var dir in searchDirectories)
        {
            var candidate = Path.Combine(dir, "lib" + GlueName + ".so");
            tried.Add(candidate);
            if (File.Exists(candidate) && NativeLibrary.TryLoad(candidate, out var handle))
            {
                return handle;
            }
        }
        throw new GdcmUnavailableException(
            $"GDCM's native glue library lib{GlueName}.so was not found or could not be loaded (looked at {string.Join(", ", tried)}); {InstallAdvice}.");
    }

    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = "Only the JIT asks where gdcm-sharp.dll is; a native build compiled it in and never raises Resolving.")]
    private static Exception? LoadOnce()
    {
        // The binding is a plain assembly beside the app (or in Debian's folder), not a package: the
        // host's dependency list does not name it, so the default load context is told where it is.
        AssemblyLoadContext.Default.Resolving += (context, name) =>
            name.Name == BindingName ? BindingCandidates().Where(File.Exists).Select(context.LoadFromAssemblyPath).FirstOrDefault() : null;
        try
        {
            LoadBinding();
            return null;
        }
        catch (GdcmUnavailableException e)
        {
            return e;
        }
        catch (Exception e) when (e is FileNotFoundException or FileLoadException or BadImageFormatException or DllNotFoundException or TypeInitializationException or EntryPointNotFoundException)
        {
            return new GdcmUnavailableException($"The GDCM binding (gdcm-sharp.dll with lib{GlueName}.so) could not be loaded: {e.Message} To fix it, {InstallAdvice}.", e);
        }
    }

    private static IEnumerable<string> BindingCandidates() =>
        SearchDirectories().Select(d => Path.Combine(d, BindingName + ".dll"));

    private static string[] SearchDirectories() =>
        [AppContext.BaseDirectory, DebianBindingDirectory];

    // Kept apart so that a missing gdcm-sharp.dll surfaces here (when this method is compiled), not in a caller.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void LoadBinding()
    {
        var binding = typeof(gdcm.Global).Assembly;
        var searchDirectories = SearchDirectories();
        NativeLibrary.SetDllImportResolver(binding, (name, _, _) => name == GlueName ? ResolveGlue(searchDirectories) : IntPtr.Zero);
        // GDCM's warnings go straight to the process's stderr; the writer reports its own failures.
        gdcm.Trace.WarningOff();
    }
}

/// <summary>GDCM cannot be used on this machine; the message says what is missing and how to install it.</summary>
public sealed class GdcmUnavailableException : Exception
{
    /// <summary>Creates the exception.</summary>
    public GdcmUnavailableException(string message) : base(message)
    {
    }

    /// <summary>Creates the exception with its cause.</summary>
    public GdcmUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }

    /// <summary>Creates the exception.</summary>
    public GdcmUnavailableException() : base("GDCM is not available.")
    {
    }
}

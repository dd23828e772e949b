using Midrc.Cli.Files;
using Midrc.Curation.Reports;

namespace Midrc.Cli.Verify;

/// <summary>
/// The files <c>midrc verify</c> looks at, and <c>midrc submit</c> sends. A folder is walked recursively; symbolic
/// links are never followed (a link could lead out of the folder, and what it points to is not what the site sends),
/// hidden entries (names starting with '.', e.g. <c>.DS_Store</c>), DICOMDIR media indexes and special files (pipes,
/// sockets, devices) are skipped: none of them is an image the program receives. Each skip is counted so the command can
/// say so. <see cref="Root"/> is the folder report names are relative to (for a single file, its folder).
/// </summary>
internal sealed record VerifyInputs(string Root, IReadOnlyList<string> Files, int SkippedLinks, int SkippedHidden, int SkippedDicomDirs, int SkippedSpecial = 0)
{
    private const string DicomDir = "DICOMDIR";

    /// <summary>Collects the files under <paramref name="path"/>; null when nothing exists there.</summary>
    /// <exception cref="UnlistableFolderException">A folder under it cannot be read; the message says which and what to do.</exception>
    public static VerifyInputs? Find(string path)
    {
        try
        {
            return Walk(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Checking or sending around a folder that cannot be read would leave out files the site means to send.
            throw new UnlistableFolderException(
                $"'{path}' cannot be listed in full: {e.Message} Give your account read access to every folder in it (or move that folder out), then run the command again.", e);
        }
    }

    private static VerifyInputs? Walk(string path)
    {
        var full = Path.GetFullPath(path);
        if (File.Exists(full))
        {
            return new VerifyInputs(Path.GetDirectoryName(full)!, [full], 0, 0, 0);
        }
        if (!Directory.Exists(full))
        {
            return null;
        }
        var files = new List<string>();
        int links = 0, hidden = 0, dicomDirs = 0, special = 0;
        var pending = new Stack<string>([full]);
        while (pending.TryPop(out var folder))
        {
            foreach (var (name, kind) in DirectoryReader.Read(folder))
            {
                if (kind == EntryKind.Link)
                {
                    links++;
                }
                else if (name.StartsWith('.'))
                {
                    hidden++;
                }
                else if (kind == EntryKind.Folder)
                {
                    pending.Push(Path.Combine(folder, name));
                }
                else if (kind == EntryKind.Special)
                {
                    special++;
                }
                else if (string.Equals(name, DicomDir, StringComparison.OrdinalIgnoreCase))
                {
                    dicomDirs++;
                }
                else
                {
                    files.Add(Path.Combine(folder, name));
                }
            }
        }
        files.Sort(StringComparer.Ordinal);
        return new VerifyInputs(full, files, links, hidden, dicomDirs, special);
    }

    /// <summary>How a file is named in the report: relative to <see cref="Root"/>, with '/' separators.</summary>
    public string ReportName(string file) => Path.GetRelativePath(Root, file).Replace(Path.DirectorySeparatorChar, '/');

    /// <summary>One line about what was skipped, or null when nothing was.</summary>
    public string? SkippedNote()
    {
        var parts = new List<string>();
        if (SkippedLinks > 0)
        {
            parts.Add($"{Plural.Count(SkippedLinks, "symbolic link")} (not followed)");
        }
        if (SkippedHidden > 0)
        {
            parts.Add(Plural.Count(SkippedHidden, "hidden file or folder", "hidden files or folders"));
        }
        if (SkippedDicomDirs > 0)
        {
            parts.Add(Plural.Count(SkippedDicomDirs, "DICOMDIR index file"));
        }
        if (SkippedSpecial > 0)
        {
            parts.Add($"{Plural.Count(SkippedSpecial, "special file")} (pipe, socket or device)");
        }
        return parts.Count == 0 ? null : $"Skipped {string.Join(", ", parts)}: they are not sent to the program.";
    }
}

/// <summary>A folder to verify or send holds a folder that cannot be read.</summary>
internal sealed class UnlistableFolderException(string message, Exception innerException) : IOException(message, innerException);

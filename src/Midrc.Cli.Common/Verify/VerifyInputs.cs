using Midrc.Curation.Reports;

namespace Midrc.Cli.Verify;

/// <summary>
/// The files <c>midrc verify</c> looks at. A folder is walked recursively; symbolic links are never followed (a
/// link could lead out of the folder, and what it points to is not what the site sends), hidden entries (names
/// starting with '.', e.g. <c>.DS_Store</c>) and DICOMDIR media indexes are skipped: none of them is an image the
/// program receives. Each skip is counted so the command can say so. <see cref="Root"/> is the folder report names are
/// relative to (for a single file, its folder).
/// </summary>
internal sealed record VerifyInputs(string Root, IReadOnlyList<string> Files, int SkippedLinks, int SkippedHidden, int SkippedDicomDirs)
{
    private const string DicomDir = "DICOMDIR";

    /// <summary>Collects the files under <paramref name="path"/>; null when nothing exists there.</summary>
    public static VerifyInputs? Find(string path)
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
        int links = 0, hidden = 0, dicomDirs = 0;
        var pending = new Stack<DirectoryInfo>([new DirectoryInfo(full)]);
        while (pending.TryPop(out var folder))
        {
            foreach (var entry in folder.EnumerateFileSystemInfos("*", new EnumerationOptions { AttributesToSkip = 0, IgnoreInaccessible = false }))
            {
                // On Unix a symbolic link carries ReparsePoint; asking for LinkTarget would cost a readlink per file.
                if (entry.Attributes.HasFlag(FileAttributes.ReparsePoint))
                {
                    links++;
                }
                else if (entry.Name.StartsWith('.'))
                {
                    hidden++;
                }
                else if (entry is DirectoryInfo directory)
                {
                    pending.Push(directory);
                }
                else if (string.Equals(entry.Name, DicomDir, StringComparison.OrdinalIgnoreCase))
                {
                    dicomDirs++;
                }
                else
                {
                    files.Add(entry.FullName);
                }
            }
        }
        files.Sort(StringComparer.Ordinal);
        return new VerifyInputs(full, files, links, hidden, dicomDirs);
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
        return parts.Count == 0 ? null : $"Skipped {string.Join(", ", parts)}: they are not sent to the program.";
    }
}

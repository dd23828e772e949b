using System.IO.Compression;

namespace Midrc.Orchestrator.Submissions;

/// <summary>A file of an upload that was not taken, and why, for the coordinator.</summary>
public sealed record RefusedFile(string Name, string Reason);

/// <summary>
/// Unpacks a zip archive from a browser upload into the intake, entry by entry, refusing what could harm the server
/// or a later unpacker: paths that leave the archive, symbolic links, too many entries, more bytes than the limits,
/// and entries that expand suspiciously far (deflate bombs). Each refused entry is reported by name; the rest are taken.
/// </summary>
internal sealed class ArchiveIntake(SubmissionIntake intake, IntakeOptions limits)
{
    private const int UnixFileTypeMask = 0xF000;
    private const int UnixSymbolicLink = 0xA000;

    public async Task ReceiveAsync(Submission submission, Stream archive, string archiveName,
        List<ReceivedObject> stored, List<RefusedFile> refused, CancellationToken cancellationToken)
    {
        // Zip needs random access: the archive is copied (within the per-file limit) to a file that deletes itself.
        await using var copy = new FileStream(Path.Combine(Path.GetTempPath(), $"midrc-archive-{Guid.NewGuid():N}"), FileMode.CreateNew,
            FileAccess.ReadWrite, FileShare.None, 1 << 16, FileOptions.DeleteOnClose | FileOptions.Asynchronous);
        await new LimitedStream(archive, limits.MaxFileBytes,
            limit => $"'{archiveName}' is larger than the limit of {SubmissionIntake.Megabytes(limit)} per archive; split it into smaller archives.")
            .CopyToAsync(copy, cancellationToken);
        copy.Position = 0;
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(copy, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            refused.Add(new(archiveName, $"'{archiveName}' is not a readable zip archive ({e.Message}). Create the archive again, or send the files themselves."));
            return;
        }
        using (zip)
        {
            var entries = zip.Entries.Where(e => !e.FullName.EndsWith('/')).ToList();
            if (entries.Count > limits.MaxArchiveEntries)
            {
                refused.Add(new(archiveName, $"'{archiveName}' holds {entries.Count:N0} entries, more than the limit of {limits.MaxArchiveEntries:N0}. Split it into several archives."));
                return;
            }
            var declared = entries.Sum(e => e.Length);
            if (declared > limits.MaxSubmissionBytes)
            {
                refused.Add(new(archiveName, $"'{archiveName}' would unpack to {SubmissionIntake.Megabytes(declared)}, more than the limit of {SubmissionIntake.Megabytes(limits.MaxSubmissionBytes)} per submission. Send it in several submissions."));
                return;
            }
            foreach (var entry in entries)
            {
                var name = $"{archiveName}/{entry.FullName}";
                if (Refusal(entry) is { } reason)
                {
                    refused.Add(new(name, reason));
                    continue;
                }
                try
                {
                    await using var content = entry.Open();
                    var bounded = new LimitedStream(content, entry.Length,
                        _ => $"'{entry.FullName}' expands to more than the {entry.Length:N0} bytes its archive header declares, so the archive is damaged or forged. Create it again.");
                    stored.Add(await intake.StoreAsync(submission, bounded, name, cancellationToken));
                }
                catch (IntakeException e) when (e.Status is StatusCodes.Status400BadRequest or StatusCodes.Status413PayloadTooLarge)
                {
                    refused.Add(new(name, e.Message));
                }
                catch (InvalidDataException e)
                {
                    refused.Add(new(name, $"'{entry.FullName}' is damaged in the archive ({e.Message}). Create the archive again."));
                }
            }
        }
    }

    private string? Refusal(ZipArchiveEntry entry)
    {
        var path = entry.FullName.Replace('\\', '/');
        if (path.StartsWith('/') || (path.Length >= 2 && path[1] == ':') || path.Split('/').Contains(".."))
        {
            return $"'{entry.FullName}' points outside the archive (an absolute path or '../'), which could overwrite other files when unpacked; it was not taken. Archive the folder itself, with relative paths.";
        }
        if (((entry.ExternalAttributes >> 16) & UnixFileTypeMask) == UnixSymbolicLink)
        {
            return $"'{entry.FullName}' is a symbolic link, not a file; links are never followed. Archive the files themselves (zip without --symlinks).";
        }
        if (entry.Length > limits.MaxFileBytes)
        {
            return $"'{entry.FullName}' is larger than the limit of {SubmissionIntake.Megabytes(limits.MaxFileBytes)} per file.";
        }
        if (entry.Length > 0 && (entry.CompressedLength == 0 || entry.Length / entry.CompressedLength > limits.MaxCompressionRatio))
        {
            return $"'{entry.FullName}' would expand {entry.Length / Math.Max(1, entry.CompressedLength):N0} times its compressed size (limit {limits.MaxCompressionRatio}), which is how archive bombs work; it was not unpacked. Send the file itself, or archive it without tricks.";
        }
        return null;
    }
}

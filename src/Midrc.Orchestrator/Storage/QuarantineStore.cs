using System.Security.Cryptography;
using Midrc.Orchestrator.Hosting;
using Microsoft.Extensions.Options;

namespace Midrc.Orchestrator.Storage;

/// <summary>The bytes sent do not hash to the SHA-256 the sender gave for them: changed or damaged on their way.</summary>
public sealed class DigestMismatchException(string expected, string received)
    : Exception($"The bytes have SHA-256 {received}, not {expected} as the sender says.")
{
    public string Expected { get; } = expected;
    public string Received { get; } = received;
}

/// <summary>What the store knows of an object once its bytes are durably written.</summary>
public sealed record StoredBytes(string Sha256, string Md5, long SizeBytes, string StorageKey, bool AlreadyPresent);

/// <summary>
/// The quarantine store: received bytes, content-addressed by SHA-256, written once. It serves no one
/// directly; what may be shown to whom is decided from the database.
/// </summary>
public interface IQuarantineStore
{
    /// <summary>
    /// Stores the stream (hashing as it writes); identical bytes are kept once. With <paramref name="expectedSha256"/>,
    /// bytes that hash otherwise are not stored at all (<see cref="DigestMismatchException"/>).
    /// </summary>
    Task<StoredBytes> PutAsync(Stream content, CancellationToken cancellationToken, string? expectedSha256 = null);

    /// <summary>Opens an object for reading.</summary>
    Stream OpenRead(string sha256);

    /// <summary>The object's path on disk, for workers that parse it in another process.</summary>
    string PathOf(string sha256);

    /// <summary>True when the object is present.</summary>
    bool Contains(string sha256);

    /// <summary>Writes, reads back and removes a probe object: true when the store is usable.</summary>
    Task<bool> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>A quarantine store on the local file system (or a shared mount when several processes run).</summary>
public sealed class FileQuarantineStore : IQuarantineStore
{
    private readonly string _root;
    private readonly string _incoming;

    public FileQuarantineStore(IOptions<MidrcOptions> options)
    {
        _root = Path.Combine(options.Value.DataFolderPath, "quarantine");
        _incoming = Path.Combine(_root, ".incoming");
        Directory.CreateDirectory(_incoming);
    }

    public async Task<StoredBytes> PutAsync(Stream content, CancellationToken cancellationToken, string? expectedSha256 = null)
    {
        var temp = Path.Combine(_incoming, Guid.NewGuid().ToString("N"));
        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
        long size = 0;
        try
        {
            string sha256, key, target;
            bool present;
            await using (var file = new FileStream(temp, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 16, FileOptions.Asynchronous))
            {
                var buffer = new byte[1 << 16];
                int read;
                while ((read = await content.ReadAsync(buffer, cancellationToken)) > 0)
                {
                    sha.AppendData(buffer, 0, read);
                    md5.AppendData(buffer, 0, read);
                    await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    size += read;
                }
                sha256 = Convert.ToHexStringLower(sha.GetHashAndReset());
                if (expectedSha256 is not null && sha256 != expectedSha256)
                {
                    // Removed below: damaged bytes never reach the store, where nothing would account for them.
                    throw new DigestMismatchException(expectedSha256, sha256);
                }
                key = KeyOf(sha256);
                target = Path.Combine(_root, key);
                present = File.Exists(target);
                if (!present)
                {
                    // Durable before the database says the object exists. A copy already stored was made durable by
                    // its writer, so this one, deleted at the end, is not synced.
                    file.Flush(flushToDisk: true);
                }
            }
            var directory = Path.GetDirectoryName(target)!;
            if (!present)
            {
                DirectorySync.CreateDurably(directory);
                // Another writer may have stored the same bytes a moment ago: identical content, so either copy is right.
                File.Move(temp, target, overwrite: true);
            }
            // The name too must survive a crash before the database may say the object exists, also when another
            // writer put it there a moment ago and may not have synced it yet.
            DirectorySync.Sync(directory);
            return new StoredBytes(sha256, Convert.ToHexStringLower(md5.GetHashAndReset()), size, key, present);
        }
        finally
        {
            if (File.Exists(temp))
            {
                File.Delete(temp);
            }
        }
    }

    public Stream OpenRead(string sha256) =>
        new FileStream(PathOf(sha256), FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);

    public string PathOf(string sha256) => Path.Combine(_root, KeyOf(sha256));

    public bool Contains(string sha256) => File.Exists(PathOf(sha256));

    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var probe = Path.Combine(_incoming, $"probe-{Guid.NewGuid():N}");
        await File.WriteAllTextAsync(probe, "probe", cancellationToken);
        var ok = await File.ReadAllTextAsync(probe, cancellationToken) == "probe";
        File.Delete(probe);
        return ok;
    }

    private static string KeyOf(string sha256)
    {
        if (sha256.Length != 64 || !sha256.All(char.IsAsciiHexDigitLower))
        {
            throw new ArgumentException("An object key is a lower-case hex SHA-256.", nameof(sha256));
        }
        return Path.Combine(sha256[..2], sha256[2..4], sha256);
    }
}

using System.Security.Cryptography;

namespace Midrc.Cli.Files;

/// <summary>Checksums of local files, as the server computes them (lower-case hexadecimal SHA-256).</summary>
internal static class FileHashes
{
    public static async Task<string> Sha256Async(string path, CancellationToken cancellationToken)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, FileOptions.Asynchronous | FileOptions.SequentialScan);
        return Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, cancellationToken));
    }
}

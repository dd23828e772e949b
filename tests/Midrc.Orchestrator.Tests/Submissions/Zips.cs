using System.IO.Compression;

namespace Midrc.Orchestrator.Tests.Submissions;

/// <summary>Zip archives built in memory, including the hostile kinds a server must refuse.</summary>
internal static class Zips
{
    private const int SymbolicLinkMode = 0xA1FF;

    public static byte[] Of(IEnumerable<(string Name, byte[] Bytes)> entries, IEnumerable<(string Name, string Target)>? symlinks = null)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, bytes) in entries)
            {
                using var stream = zip.CreateEntry(name, CompressionLevel.SmallestSize).Open();
                stream.Write(bytes);
            }
            foreach (var (name, target) in symlinks ?? [])
            {
                var link = zip.CreateEntry(name);
                link.ExternalAttributes = SymbolicLinkMode << 16;
                using var stream = link.Open();
                stream.Write(System.Text.Encoding.UTF8.GetBytes(target));
            }
        }
        return buffer.ToArray();
    }
}

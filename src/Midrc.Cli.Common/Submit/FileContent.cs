using System.Net;
using System.Net.Http.Headers;

namespace Midrc.Cli.Submit;

/// <summary>
/// A local file as a request body or part, opened only while it is written: a batch of a hundred files holds one
/// open at a time. The length is the one the file had when it was hashed; a file that changed since fails its request,
/// and the file is then sent again on its own, hashed anew.
/// </summary>
internal sealed class FileContent : HttpContent
{
    private const int BufferSize = 1 << 16;
    private readonly string _path;
    private readonly long _length;

    public FileContent(string path, long length)
    {
        _path = path;
        _length = length;
        Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await using var file = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
        await file.CopyToAsync(stream, BufferSize, cancellationToken);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = _length;
        return true;
    }
}

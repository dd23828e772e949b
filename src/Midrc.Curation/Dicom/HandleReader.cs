using Microsoft.Win32.SafeHandles;

namespace Midrc.Curation.Dicom;

/// <summary>
/// A read-only, seekable stream over a file handle it does not own: reads are positional (<see cref="RandomAccess"/>),
/// so the handle's own position is never moved and disposing the stream leaves the handle open for its owner. The
/// caller gives the file's length, which it has already asked for.
/// </summary>
internal sealed class HandleReader(SafeFileHandle handle, long length) : Stream
{
    private long _position;

    public override bool CanRead => true;

    public override bool CanSeek => true;

    public override bool CanWrite => false;

    public override long Length => length;

    public override long Position
    {
        get => _position;
        set => Seek(value, SeekOrigin.Begin);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var read = RandomAccess.Read(handle, buffer, _position);
        _position += read;
        return read;
    }

    public override long Seek(long offset, SeekOrigin origin)
    {
        var target = origin switch
        {
            SeekOrigin.Begin => offset,
            SeekOrigin.Current => _position + offset,
            _ => length + offset,
        };
        ArgumentOutOfRangeException.ThrowIfNegative(target, nameof(offset));
        _position = target;
        return target;
    }

    public override void Flush()
    {
        // Nothing is ever written.
    }

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}

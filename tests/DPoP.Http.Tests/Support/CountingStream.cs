namespace DPoP.Http.Tests.Support;

/// <summary>
/// A forward-only body stream over <paramref name="data"/> that counts the bytes read from it, hands out at most
/// <paramref name="chunk"/> bytes per read (as a network stream does), and can fail with an <see cref="IOException"/>
/// once <paramref name="failAfter"/> bytes have been read (a connection that drops mid-body).
/// </summary>
internal sealed class CountingStream(byte[] data, int chunk = 4096, int failAfter = int.MaxValue) : Stream
{
    private int _position;

    public int BytesRead => Volatile.Read(ref _position);

    public bool Disposed { get; private set; }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        if (_position >= failAfter)
        {
            throw new IOException("The connection was reset by the test.");
        }

        var n = Math.Min(Math.Min(buffer.Length, chunk), Math.Min(data.Length, failAfter) - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(Read(buffer.Span));
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        Disposed = true;
        base.Dispose(disposing);
    }
}

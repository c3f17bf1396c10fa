using System.Net;

namespace DPoP.Http.Internal;

/// <summary>
/// A response body whose first bytes the handler already read (to look for <c>use_dpop_nonce</c>): it serves those
/// bytes, then the rest of the original stream, so that the caller still reads the whole body.
/// </summary>
internal sealed class ReplayedResponseContent : HttpContent
{
    private readonly byte[] _prefix;
    private readonly int _prefixLength;
    private readonly Stream _rest;
    private readonly HttpContent _original;

    public ReplayedResponseContent(HttpContent original, byte[] prefix, int prefixLength, Stream rest)
    {
        _original = original;
        _prefix = prefix;
        _prefixLength = prefixLength;
        _rest = rest;
        foreach (var header in original.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        await stream.WriteAsync(_prefix.AsMemory(0, _prefixLength), cancellationToken).ConfigureAwait(false);
        await _rest.CopyToAsync(stream, cancellationToken).ConfigureAwait(false);
    }

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        stream.Write(_prefix, 0, _prefixLength);
        _rest.CopyTo(stream);
    }

    protected override Stream CreateContentReadStream(CancellationToken cancellationToken) => new PrefixedReadStream(_prefix, _prefixLength, _rest);

    protected override Task<Stream> CreateContentReadStreamAsync() => Task.FromResult(CreateContentReadStream(CancellationToken.None));

    protected override bool TryComputeLength(out long length)
    {
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _rest.Dispose();
            _original.Dispose();
        }

        base.Dispose(disposing);
    }

    private sealed class PrefixedReadStream(byte[] prefix, int prefixLength, Stream rest) : Stream
    {
        private int _position;

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
            if (_position < prefixLength)
            {
                var n = Math.Min(buffer.Length, prefixLength - _position);
                prefix.AsSpan(_position, n).CopyTo(buffer);
                _position += n;
                return n;
            }

            return rest.Read(buffer);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < prefixLength)
            {
                return new ValueTask<int>(Read(buffer.Span));
            }

            return rest.ReadAsync(buffer, cancellationToken);
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                rest.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}

using System.Net;

namespace DPoP.Http.Internal;

/// <summary>
/// Wraps a request body of unknown length (<c>JsonContent</c>, a custom <see cref="HttpContent"/>, a stream of
/// unknown size) so that it can be sent a second time with exactly the same bytes: the first send serializes the
/// original straight to the transport and records what it wrote, up to a limit; a resend writes the recording. A body
/// that outgrew the limit, or whose first send did not finish, cannot be resent (<see cref="CanResend"/> is false).
/// </summary>
/// <remarks>
/// Serializing the original twice is what makes a resend unsafe: a one-shot <c>IAsyncEnumerable</c> yields nothing
/// the second time, a lazy sequence or a getter may yield something else. Recording while sending costs no extra pass
/// and no memory beyond the limit.
/// </remarks>
internal sealed class DPoPRecordingContent : HttpContent
{
    private const int InitialCapacity = 1024;

    private readonly HttpContent _original;
    private readonly int _limit;
    private byte[]? _recording;
    private int _length;
    private volatile State _state;

    public DPoPRecordingContent(HttpContent original, long limit)
    {
        _original = original;
        _limit = (int)Math.Min(limit, Array.MaxLength);
        foreach (var header in original.Headers.NonValidated)
        {
            Headers.TryAddWithoutValidation(header.Key, header.Value);
        }
    }

    private enum State
    {
        NotSent,
        Sending,
        Recorded,
        NotRecorded,
    }

    /// <summary>Whether a resend writes the same bytes: nothing has been sent yet, or all of it was recorded.</summary>
    public bool CanResend => _state is State.NotSent or State.Recorded;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_state == State.Recorded)
        {
            await stream.WriteAsync(_recording.AsMemory(0, _length), cancellationToken).ConfigureAwait(false);
            return;
        }

        if (!BeginRecording())
        {
            // Only a caller reading the request again after the handler gave up on resending gets here: it sees what
            // the original content gives on a second serialization, as it would without this handler.
            await _original.CopyToAsync(stream, context, cancellationToken).ConfigureAwait(false);
            return;
        }

        await _original.CopyToAsync(new RecordingStream(stream, this), context, cancellationToken).ConfigureAwait(false);
        EndRecording();
    }

    protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        if (_state == State.Recorded)
        {
            stream.Write(_recording.AsSpan(0, _length));
            return;
        }

        if (!BeginRecording())
        {
            _original.CopyTo(stream, context, cancellationToken);
            return;
        }

        _original.CopyTo(new RecordingStream(stream, this), context, cancellationToken);
        EndRecording();
    }

    protected override bool TryComputeLength(out long length)
    {
        // Same framing on every attempt (chunked over HTTP/1.1), as the original content of unknown length asks.
        length = 0;
        return false;
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _original.Dispose();
            _recording = null;
        }

        base.Dispose(disposing);
    }

    private bool BeginRecording()
    {
        if (_state != State.NotSent)
        {
            _state = State.NotRecorded;
            return false;
        }

        // Until the copy completes, a failed or abandoned send leaves a partial recording that must not be resent.
        _state = State.Sending;
        return true;
    }

    private void EndRecording()
    {
        if (_state == State.Sending)
        {
            _state = State.Recorded;
        }
    }

    private void Record(ReadOnlySpan<byte> bytes)
    {
        if (_state != State.Sending)
        {
            return;
        }

        var needed = (long)_length + bytes.Length;
        if (needed > _limit)
        {
            _state = State.NotRecorded;
            _recording = null;
            return;
        }

        if (_recording is null || needed > _recording.Length)
        {
            var capacity = (int)Math.Min(_limit, Math.Max(needed, Math.Max(InitialCapacity, (_recording?.Length ?? 0) * 2L)));
            Array.Resize(ref _recording, capacity);
        }

        bytes.CopyTo(_recording.AsSpan(_length));
        _length = (int)needed;
    }

    /// <summary>Passes every write to the transport's stream and records it.</summary>
    private sealed class RecordingStream(Stream inner, DPoPRecordingContent owner) : Stream
    {
        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => throw new NotSupportedException();
            set => throw new NotSupportedException();
        }

        public override void Flush() => inner.Flush();

        public override Task FlushAsync(CancellationToken cancellationToken) => inner.FlushAsync(cancellationToken);

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

        public override void Write(ReadOnlySpan<byte> buffer)
        {
            inner.Write(buffer);
            owner.Record(buffer);
        }

        public override void WriteByte(byte value) => Write([value]);

        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken).ConfigureAwait(false);
            owner.Record(buffer.Span);
        }
    }
}

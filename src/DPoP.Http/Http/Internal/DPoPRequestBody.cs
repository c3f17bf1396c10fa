namespace DPoP.Http.Internal;

/// <summary>
/// Makes a request body safe to send twice (nonce retry, token renewal, 307/308 redirect): a resend must carry
/// exactly the bytes of the first send, or not happen. Content whose bytes are fixed in memory is resent as is; a
/// body of known size up to the limit is loaded into the content's own buffer before the first send; a body of
/// unknown size (<c>JsonContent</c>, custom content, streams of unknown length) is recorded while it is first sent,
/// up to the limit (<see cref="DPoPRecordingContent"/>).
/// </summary>
internal static class DPoPRequestBody
{
    /// <summary>
    /// Prepares the body before its first send. Returns true when it can be resent whatever happens; false when that
    /// depends on the first send (recorded bodies, see <see cref="CanResend"/>) or cannot be.
    /// </summary>
    public static async ValueTask<bool> PrepareForResendAsync(HttpRequestMessage request, long maxBufferSize, bool async, CancellationToken cancellationToken)
    {
        var content = request.Content;
        if (content is null || HasFixedBytes(content))
        {
            return true;
        }

        if (maxBufferSize <= 0)
        {
            return false;
        }

        if (content.Headers.ContentLength is not { } length)
        {
            // Serializing it twice could give other bytes (a one-shot IAsyncEnumerable gives "[]" the second time):
            // record what the first send writes instead.
            request.Content = new DPoPRecordingContent(content, maxBufferSize);
            return false;
        }

        if (length > maxBufferSize)
        {
            return false;
        }

        var load = content.LoadIntoBufferAsync(maxBufferSize, cancellationToken);
        if (async)
        {
            await load.ConfigureAwait(false);
        }
        else
        {
            // Send() is synchronous; the content is of bounded, known size, so this waits for a local copy.
            load.GetAwaiter().GetResult();
        }

        return true;
    }

    /// <summary>Whether the request's current body can be sent again with the same bytes.</summary>
    public static bool CanResend(HttpContent? content, bool prepared) =>
        content is null || prepared || content is DPoPRecordingContent { CanResend: true };

    /// <summary>
    /// Content of the framework's in-memory types, which write the same bytes on every send. Exact types only: a
    /// subclass may serialize differently, and <c>JsonContent</c> serializes its value anew on every send.
    /// </summary>
    private static bool HasFixedBytes(HttpContent content)
    {
        var type = content.GetType();
        if (type == typeof(StringContent) || type == typeof(ByteArrayContent) || type == typeof(FormUrlEncodedContent) ||
            type == typeof(ReadOnlyMemoryContent))
        {
            return true;
        }

        if (type != typeof(MultipartContent) && type != typeof(MultipartFormDataContent))
        {
            return false;
        }

        foreach (var part in (MultipartContent)content)
        {
            if (!HasFixedBytes(part))
            {
                return false;
            }
        }

        return true;
    }
}

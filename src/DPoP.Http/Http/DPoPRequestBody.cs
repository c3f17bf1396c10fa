namespace DPoP.Http;

/// <summary>
/// Decides whether a request body can be sent twice (nonce retry, 307/308 redirect), buffering it when that is
/// cheap and bounded. Content already in memory is resent as is; a streamed body of known size up to the limit is
/// loaded into the content's own buffer; anything else is sent once.
/// </summary>
internal static class DPoPRequestBody
{
    public static async ValueTask<bool> PrepareForResendAsync(HttpContent? content, long maxBufferSize, bool async, CancellationToken cancellationToken)
    {
        if (content is null || IsReplayable(content))
        {
            return true;
        }

        // Only a body whose size is known up front is buffered: reading a stream of unknown size into a bounded
        // buffer could consume part of it and leave nothing whole to send.
        if (maxBufferSize <= 0 || content.Headers.ContentLength is not { } length || length > maxBufferSize)
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

    /// <summary>Content that serializes the same bytes every time it is sent, without being buffered by us.</summary>
    private static bool IsReplayable(HttpContent content)
    {
        switch (content)
        {
            case ByteArrayContent: // StringContent, FormUrlEncodedContent
            case ReadOnlyMemoryContent:
                return true;
            case MultipartContent multipart:
                foreach (var part in multipart)
                {
                    if (!IsReplayable(part))
                    {
                        return false;
                    }
                }

                return true;
            default:
                // System.Net.Http.Json's JsonContent serializes its value anew on every send.
                return content.GetType().FullName is "System.Net.Http.Json.JsonContent";
        }
    }
}

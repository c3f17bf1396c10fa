using System.Buffers;
using System.IO.Compression;
using System.Net;
using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>
/// Recognizes a server's demand for a nonce (RFC 9449 §8, §9): <c>400</c> with a JSON body whose <c>error</c> is
/// <c>use_dpop_nonce</c> (authorization server), or <c>401</c> with a <c>WWW-Authenticate: DPoP</c> challenge whose
/// <c>error</c> is <c>use_dpop_nonce</c> (resource server).
/// </summary>
internal static class DPoPNonceChallenge
{
    /// <summary>At most this much of a 400 body is read; an OAuth error object is a few hundred bytes.</summary>
    public const int MaxErrorBodyBytes = 16 * 1024;

    private const int MaxDecompressedBytes = 64 * 1024;

    public static bool IsCandidate(HttpResponseMessage response) =>
        response.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.Unauthorized;

    /// <summary>
    /// Tells whether <paramref name="response"/> demands a nonce. For a 400 this reads at most
    /// <see cref="MaxErrorBodyBytes"/> of the body and puts back a content that still yields the whole body.
    /// </summary>
    public static async ValueTask<bool> IsUseDPoPNonceAsync(HttpResponseMessage response, bool async, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.Unauthorized)
        {
            return response.Headers.NonValidated.TryGetValues("WWW-Authenticate", out var values) &&
                WwwAuthenticateParser.HasDPoPNonceChallenge(values);
        }

        return response.StatusCode == HttpStatusCode.BadRequest &&
            await BodyHasUseDPoPNonceAsync(response, async, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// <see cref="IsUseDPoPNonceAsync"/>, disposing the response when reading its body fails (connection lost,
    /// cancelled): the caller gets the exception, and the connection is released rather than left for the finalizer.
    /// </summary>
    /// <exception cref="HttpRequestException">The body could not be read; the IO failure is the inner exception.</exception>
    public static async ValueTask<bool> IsUseDPoPNonceOrDisposeAsync(HttpResponseMessage response, bool async, CancellationToken cancellationToken)
    {
        try
        {
            return await IsUseDPoPNonceAsync(response, async, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            response.Dispose();

            // The read happens inside SendAsync, whose callers expect HttpRequestException for a broken answer.
            throw ResponseBodyReadFailure.From(ex, "The response body could not be read.");
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    /// <summary>Looks for a top-level <c>"error": "use_dpop_nonce"</c> member (RFC 6749 §5.2 error object).</summary>
    public static bool JsonHasUseDPoPNonce(ReadOnlySpan<byte> json, bool isFinalBlock)
    {
        if (json.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            json = json[3..];
        }

        var reader = new Utf8JsonReader(json, isFinalBlock, new JsonReaderState(new JsonReaderOptions
        {
            CommentHandling = JsonCommentHandling.Skip,
            AllowTrailingCommas = true,
            MaxDepth = 16,
        }));
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
            {
                return false;
            }

            while (reader.Read())
            {
                if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 1 && TextEquals(ref reader, "error"u8))
                {
                    return reader.Read() && reader.TokenType == JsonTokenType.String && TextEquals(ref reader, "use_dpop_nonce"u8);
                }
            }
        }
        catch (JsonException)
        {
        }

        return false;
    }

    /// <summary>
    /// Compares a name or string token with <paramref name="text"/>; false for a token whose escapes are no Unicode
    /// text (a lone surrogate such as <c>\ud800</c>, valid JSON that .NET cannot unescape): it cannot be that text.
    /// </summary>
    private static bool TextEquals(ref Utf8JsonReader reader, ReadOnlySpan<byte> text)
    {
        try
        {
            return reader.ValueTextEquals(text);
        }
        catch (InvalidOperationException)
        {
            return false;
        }
    }

    private static async ValueTask<bool> BodyHasUseDPoPNonceAsync(HttpResponseMessage response, bool async, CancellationToken cancellationToken)
    {
        var content = response.Content;
        if (content.Headers.ContentLength is > MaxErrorBodyBytes or 0)
        {
            return false;
        }

        var stream = async
            ? await content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false)
            : content.ReadAsStream(cancellationToken);

        // Never more than the limit: a body that fills it without ending (or without matching its Content-Length)
        // is treated as going on, and its first bytes are read as an incomplete JSON document.
        var buffer = ArrayPool<byte>.Shared.Rent(MaxErrorBodyBytes);
        try
        {
            var total = 0;
            var ended = false;
            while (total < MaxErrorBodyBytes)
            {
                var read = async
                    ? await stream.ReadAsync(buffer.AsMemory(total, MaxErrorBodyBytes - total), cancellationToken).ConfigureAwait(false)
                    : stream.Read(buffer, total, MaxErrorBodyBytes - total);
                if (read == 0)
                {
                    ended = true;
                    break;
                }

                total += read;
            }

            var complete = ended || total == content.Headers.ContentLength;
            var copy = buffer.AsSpan(0, total).ToArray();
            if (complete)
            {
                var whole = new ByteArrayContent(copy);
                foreach (var header in content.Headers.NonValidated)
                {
                    whole.Headers.TryAddWithoutValidation(header.Key, header.Value);
                }

                response.Content = whole;
                content.Dispose();
            }
            else
            {
                response.Content = new ReplayedResponseContent(content, copy, total, stream);
            }

            var encoding = content.Headers.ContentEncoding;
            if (encoding.Count == 0)
            {
                return JsonHasUseDPoPNonce(copy, isFinalBlock: complete);
            }

            return complete && encoding.Count == 1 && TryDecompress(copy, encoding.First(), out var json) && JsonHasUseDPoPNonce(json, isFinalBlock: true);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>A compressed error body that the primary handler did not decompress (AutomaticDecompression off).</summary>
    private static bool TryDecompress(byte[] compressed, string encoding, out byte[] json)
    {
        json = [];
        try
        {
            using var input = new MemoryStream(compressed);
            using Stream decoder = encoding.ToLowerInvariant() switch
            {
                "gzip" or "x-gzip" => new GZipStream(input, CompressionMode.Decompress),
                "deflate" => new ZLibStream(input, CompressionMode.Decompress),
                "br" => new BrotliStream(input, CompressionMode.Decompress),
                _ => Stream.Null,
            };
            var output = new byte[MaxDecompressedBytes];
            var total = 0;
            int read;
            while (total < output.Length && (read = decoder.Read(output, total, output.Length - total)) > 0)
            {
                total += read;
            }

            json = output[..total];
            return total > 0;
        }
        catch (Exception ex) when (ex is InvalidDataException or InvalidOperationException)
        {
            // Corrupt data labelled gzip/deflate (InvalidDataException) or br (BrotliStream: InvalidOperationException).
            return false;
        }
    }
}

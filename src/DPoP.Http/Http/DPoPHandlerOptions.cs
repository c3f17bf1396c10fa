namespace DPoP.Http;

/// <summary>
/// How a <see cref="DPoPDelegatingHandler"/> behaves: nonce retries, resendable bodies, the nonce store, the clock,
/// redirects. With DI these are part of the client's <see cref="DPoPClientOptions"/>; without DI, pass them to the
/// handler's constructor.
/// </summary>
public class DPoPHandlerOptions
{
    /// <summary>Retry once when the server demands a nonce (<c>use_dpop_nonce</c>) and sends a new one. Default true.</summary>
    public bool RetryOnNonceChallenge { get; set; } = true;

    /// <summary>
    /// The largest request body, in bytes, the handler keeps so that it can resend it with the same bytes (nonce
    /// retry, renewed token, 307/308 redirect): a body of known size is buffered before the first send, one of unknown
    /// size (<c>JsonContent</c>, custom content) recorded while it is sent. The framework's fixed-byte contents
    /// (<see cref="StringContent"/>, <see cref="ByteArrayContent"/>, form, multipart of those) are resent without
    /// copying, whatever their size. A larger body is sent once: a challenge is then returned to the caller and the
    /// stored nonce serves the next request. Default 64 KiB; 0 turns buffering and recording off.
    /// </summary>
    public int MaxBufferedRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>How many origins the in-memory nonce store remembers before evicting the least recently used. Default 1000.</summary>
    public int NonceStoreCapacity { get; set; } = 1000;

    /// <summary>
    /// How long a stored nonce is used after the server last sent it; null (default) keeps it until the server sends
    /// another. A server that repeats its nonce on every response keeps it alive.
    /// </summary>
    public TimeSpan? NonceLifetime { get; set; }

    /// <summary>Added to the clock for <c>iat</c>, to correct a known skew against the servers. Default zero; at most ±1 hour.</summary>
    public TimeSpan ClockOffset { get; set; }

    /// <summary>
    /// Follow redirects in the DPoP handler, with a new proof for every hop and the access token kept to the original
    /// origin. The primary handler's own automatic redirects are turned off for this client either way, since they
    /// would resend a proof made for another URI. Default true; false returns 3xx responses to the caller.
    /// </summary>
    public bool FollowRedirects { get; set; } = true;

    /// <summary>The most redirects followed for one request. Default 50, as <see cref="SocketsHttpHandler"/>.</summary>
    public int MaxRedirects { get; set; } = 50;
}

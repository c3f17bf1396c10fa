namespace DPoP.Http;

/// <summary>
/// Settings of one DPoP-enabled HttpClient, named after the client (<c>IOptionsMonitor&lt;DPoPClientOptions&gt;.Get(name)</c>)
/// and bindable from configuration. Validated when the app starts.
/// </summary>
public sealed class DPoPClientOptions
{
    /// <summary>
    /// The signing algorithm (see <see cref="DPoPAlgorithms"/>). A generated key uses it, ES256 when null; a configured
    /// key (<see cref="PrivateKey"/>, <see cref="PrivateKeyPath"/>) must fit it, and implies it when null.
    /// </summary>
    public string? Algorithm { get; set; }

    /// <summary>
    /// The name of the key to sign with; by default the HttpClient's name. Clients that must share a key — the one
    /// that calls the token endpoint and the one that calls the API, so that the token's <c>cnf.jkt</c> matches —
    /// set the same key name.
    /// </summary>
    public string? KeyName { get; set; }

    /// <summary>A private key, inline: PEM (PKCS#8, SEC 1 or PKCS#1) or a private JWK as JSON. Takes precedence over a generated key.</summary>
    public string? PrivateKey { get; set; }

    /// <summary>The path of a file holding a private key as PEM or as a private JWK.</summary>
    public string? PrivateKeyPath { get; set; }

    /// <summary>Retry once when the server demands a nonce (<c>use_dpop_nonce</c>) and sends a new one. Default true.</summary>
    public bool RetryOnNonceChallenge { get; set; } = true;

    /// <summary>
    /// The largest request body, in bytes, the handler buffers so that it can resend it on a nonce retry or a 307/308
    /// redirect. Bodies that are already in memory (string, byte array, form, JSON content) are resent without copying,
    /// whatever their size. Larger streamed bodies are sent once: a challenge is then returned to the caller and the
    /// stored nonce serves the next request. Default 64 KiB; 0 turns buffering off.
    /// </summary>
    public int MaxBufferedRequestBodySize { get; set; } = 64 * 1024;

    /// <summary>How many origins the in-memory nonce store remembers before evicting the least recently used. Default 1000.</summary>
    public int NonceStoreCapacity { get; set; } = 1000;

    /// <summary>How long a stored nonce is used before it is dropped; null (default) keeps it until the server sends another.</summary>
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

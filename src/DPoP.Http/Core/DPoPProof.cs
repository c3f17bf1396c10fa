namespace DPoP.Http;

/// <summary>
/// Creates DPoP proofs (RFC 9449 §4): compact JWS tokens of type <c>dpop+jwt</c> that bind one HTTP request
/// (method and URI) to a <see cref="DPoPKey"/>.
/// </summary>
/// <remarks>
/// Each call makes a new proof with a fresh <c>jti</c> (128 random bits from a CSPRNG) and the current
/// <c>iat</c>. A proof is good for one request only: make a new one for every request, retry and redirect.
/// The <c>htm</c> claim is the method as .NET's transport sends it (known methods in upper case, others as given).
/// The <c>htu</c> claim is the request URI without query and fragment, with scheme and host in lower case, an IDN
/// host in punycode, the default port dropped and the path exactly as <see cref="HttpClient"/> sends it.
/// The <c>ath</c> of the last access tokens used (a few, not one per token ever seen) is kept, so a token sent with
/// many proofs is hashed once.
/// </remarks>
public static class DPoPProof
{
    /// <summary>Creates a proof for a request given as strings.</summary>
    /// <param name="key">The key that signs the proof.</param>
    /// <param name="method">
    /// The HTTP method. <c>htm</c> carries it as .NET's transport sends it: a known method (GET, POST, PUT, DELETE,
    /// HEAD, OPTIONS, TRACE, PATCH, CONNECT) in upper case whatever its case here (<c>post</c> is signed as <c>POST</c>),
    /// any other method token as given.
    /// </param>
    /// <param name="uri">The absolute http(s) URI of the request; query and fragment are left out of <c>htu</c>.</param>
    /// <param name="accessToken">The DPoP-bound access token sent with the request; adds the <c>ath</c> claim.</param>
    /// <param name="nonce">The latest <c>DPoP-Nonce</c> the server gave; adds the <c>nonce</c> claim.</param>
    /// <returns>The proof, for the <c>DPoP</c> request header.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="method"/> or <paramref name="uri"/> is null.</exception>
    /// <exception cref="ArgumentException">
    /// The method is empty or not an HTTP token; the URI is empty, relative, not http(s), has user information or a
    /// Unicode host with no punycode form;
    /// the access token is empty or not visible ASCII; the nonce is not <c>1*NQCHAR</c>.
    /// </exception>
    /// <exception cref="ObjectDisposedException"><paramref name="key"/> has been disposed.</exception>
    public static string Create(DPoPKey key, string method, string uri, string? accessToken = null, string? nonce = null)
    {
        ArgumentNullException.ThrowIfNull(key);
        DPoPSyntax.ThrowIfInvalidMethod(method, nameof(method));
        var target = DPoPTargetUri.Parse(uri, nameof(uri));
        return CreateCore(key, DPoPHttpMethod.ToWire(method), target, accessToken, nonce, TimeProvider.System);
    }

    /// <summary>Creates a proof for a request given as an <see cref="HttpMethod"/> and a <see cref="Uri"/>.</summary>
    /// <param name="key">The key that signs the proof.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="uri">The absolute http(s) URI of the request; query and fragment are left out of <c>htu</c>.</param>
    /// <param name="accessToken">The DPoP-bound access token sent with the request; adds the <c>ath</c> claim.</param>
    /// <param name="nonce">The latest <c>DPoP-Nonce</c> the server gave; adds the <c>nonce</c> claim.</param>
    /// <returns>The proof, for the <c>DPoP</c> request header.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="method"/> or <paramref name="uri"/> is null.</exception>
    /// <exception cref="ArgumentException">The URI is relative, not http(s), has user information or a Unicode host with no punycode form; the access token or nonce is malformed.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="key"/> has been disposed.</exception>
    public static string Create(DPoPKey key, HttpMethod method, Uri uri, string? accessToken = null, string? nonce = null) =>
        Create(key, method, uri, accessToken, nonce, TimeProvider.System);

    /// <summary>Creates a proof whose <c>iat</c> comes from <paramref name="timeProvider"/> (tests, clock-skew correction).</summary>
    /// <param name="key">The key that signs the proof.</param>
    /// <param name="method">The HTTP method.</param>
    /// <param name="uri">The absolute http(s) URI of the request; query and fragment are left out of <c>htu</c>.</param>
    /// <param name="accessToken">The DPoP-bound access token sent with the request, or null; adds the <c>ath</c> claim.</param>
    /// <param name="nonce">The latest <c>DPoP-Nonce</c> the server gave, or null; adds the <c>nonce</c> claim.</param>
    /// <param name="timeProvider">The clock for <c>iat</c>.</param>
    /// <returns>The proof, for the <c>DPoP</c> request header.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="key"/>, <paramref name="method"/>, <paramref name="uri"/> or <paramref name="timeProvider"/> is null.</exception>
    /// <exception cref="ArgumentException">The URI is relative, not http(s), has user information or a Unicode host with no punycode form; the access token or nonce is malformed.</exception>
    /// <exception cref="ObjectDisposedException"><paramref name="key"/> has been disposed.</exception>
    public static string Create(DPoPKey key, HttpMethod method, Uri uri, string? accessToken, string? nonce, TimeProvider timeProvider)
    {
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(method);
        ArgumentNullException.ThrowIfNull(timeProvider);
        DPoPTargetUri.Validate(uri, nameof(uri));
        return CreateCore(key, DPoPHttpMethod.ToWire(method), uri, accessToken, nonce, timeProvider);
    }

    /// <summary>Computes the <c>ath</c> claim: base64url of the SHA-256 hash of the token's ASCII bytes (RFC 9449 §4.2).</summary>
    /// <param name="accessToken">The access token.</param>
    /// <returns>The 43-character hash.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="accessToken"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="accessToken"/> is empty or not visible ASCII.</exception>
    public static string ComputeAth(string accessToken)
    {
        DPoPSyntax.ThrowIfInvalidAccessToken(accessToken, nameof(accessToken));
        return DPoPAthCache.Compute(accessToken);
    }

    private static string CreateCore(DPoPKey key, string method, Uri uri, string? accessToken, string? nonce, TimeProvider timeProvider)
    {
        string? ath = null;
        if (accessToken is not null)
        {
            DPoPSyntax.ThrowIfInvalidAccessToken(accessToken, nameof(accessToken));

            // Callers reuse one token for many proofs, as the handler does: hash it once (DESIGN.md §2).
            ath = DPoPAthCache.Shared.GetAth(accessToken);
        }

        if (nonce is not null)
        {
            DPoPSyntax.ThrowIfInvalidNonce(nonce, nameof(nonce));
        }

        return DPoPProofWriter.Create(key, method, uri, ath, nonce, timeProvider.GetUtcNow().ToUnixTimeSeconds());
    }
}

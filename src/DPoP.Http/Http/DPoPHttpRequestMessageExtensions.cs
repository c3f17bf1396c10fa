namespace DPoP.Http;

/// <summary>Per-request DPoP settings, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
public static class DPoPHttpRequestMessageExtensions
{
    /// <summary>The request option that carries the DPoP-bound access token of one request.</summary>
    public static readonly HttpRequestOptionsKey<string> AccessTokenKey = new("DPoP.Http.AccessToken");

    /// <summary>The request option that carries the extra proof claims set by <see cref="SetDPoPProofClaims"/>.</summary>
    internal static readonly HttpRequestOptionsKey<DPoPProofClaims> ProofClaimsKey = new("DPoP.Http.ProofClaims");

    /// <summary>
    /// Set by <see cref="DPoPTokenClient"/> on requests whose body must not be sent twice (a single-use client
    /// assertion): the handler returns a <c>use_dpop_nonce</c> challenge instead of resending the same body.
    /// </summary>
    internal static readonly HttpRequestOptionsKey<bool> NoNonceRetryKey = new("DPoP.Http.NoNonceRetry");

    /// <summary>
    /// Binds <paramref name="accessToken"/> to this request: the handler sends <c>Authorization: DPoP &lt;token&gt;</c>
    /// and a proof with its <c>ath</c>. This takes precedence over an <c>Authorization</c> header already on the request
    /// and over an <see cref="IDPoPAccessTokenProvider"/>.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="accessToken">The DPoP-bound access token.</param>
    /// <returns>The same request, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="accessToken"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="accessToken"/> is empty or not visible ASCII.</exception>
    public static HttpRequestMessage SetDPoPAccessToken(this HttpRequestMessage request, string accessToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        DPoPSyntax.ThrowIfInvalidAccessToken(accessToken, nameof(accessToken));
        request.Options.Set(AccessTokenKey, accessToken);
        return request;
    }

    /// <summary>
    /// Adds claims to every proof of this request (its retries and redirect hops included), for servers that ask for
    /// more than RFC 9449's claims. The claims <c>jti</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>, <c>ath</c> and
    /// <c>nonce</c> are the handler's and cannot be set here. The claims are serialized at once.
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="claims">Claim names and values: string, bool, int, long, finite double, decimal, JsonElement, JsonNode or null.</param>
    /// <returns>The same request, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> or <paramref name="claims"/> is null.</exception>
    /// <exception cref="ArgumentException">A claim is reserved, has an empty name or a value of another type.</exception>
    public static HttpRequestMessage SetDPoPProofClaims(this HttpRequestMessage request, IReadOnlyDictionary<string, object?> claims)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(ProofClaimsKey, DPoPProofClaims.Create(claims, nameof(claims)));
        return request;
    }

    /// <summary>Gets the access token set with <see cref="SetDPoPAccessToken"/>, if any.</summary>
    /// <param name="request">The request.</param>
    /// <returns>The token, or null.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static string? GetDPoPAccessToken(this HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return request.Options.TryGetValue(AccessTokenKey, out var token) ? token : null;
    }
}

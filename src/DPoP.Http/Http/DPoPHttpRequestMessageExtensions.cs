namespace DPoP.Http;

/// <summary>Per-request DPoP settings, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
public static class DPoPHttpRequestMessageExtensions
{
    // The keys stay private: the extension methods below are the API, so the options' shape can change.
    private static readonly HttpRequestOptionsKey<string> AccessTokenKey = new("DPoP.Http.AccessToken");
    private static readonly HttpRequestOptionsKey<DPoPProofClaims> ProofClaimsKey = new("DPoP.Http.ProofClaims");
    private static readonly HttpRequestOptionsKey<bool> NoNonceRetryKey = new("DPoP.Http.NoNonceRetry");

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

    /// <summary>
    /// Turns the handler's one retry on a <c>use_dpop_nonce</c> challenge off (or back on) for this request: the
    /// challenge is returned to the caller, and the nonce it brought is stored for the next request. For requests the
    /// caller resends itself, such as a token request whose single-use client assertion must be made anew
    /// (<see cref="DPoPTokenClient"/> does that).
    /// </summary>
    /// <param name="request">The request.</param>
    /// <param name="enabled">False to return nonce challenges to the caller; true (the client's setting) to retry once.</param>
    /// <returns>The same request, for chaining.</returns>
    /// <exception cref="ArgumentNullException"><paramref name="request"/> is null.</exception>
    public static HttpRequestMessage SetDPoPNonceRetry(this HttpRequestMessage request, bool enabled)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Set(NoNonceRetryKey, !enabled);
        return request;
    }

    /// <summary>Whether <see cref="SetDPoPNonceRetry"/> turned the nonce retry off for this request.</summary>
    internal static bool IsDPoPNonceRetryDisabled(this HttpRequestMessage request) =>
        request.Options.TryGetValue(NoNonceRetryKey, out var disabled) && disabled;

    /// <summary>The extra proof claims set with <see cref="SetDPoPProofClaims"/>, if any.</summary>
    internal static DPoPProofClaims? GetDPoPProofClaims(this HttpRequestMessage request) =>
        request.Options.TryGetValue(ProofClaimsKey, out var claims) ? claims : null;
}

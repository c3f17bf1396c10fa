namespace DPoP.Http;

/// <summary>Per-request DPoP settings, carried in <see cref="HttpRequestMessage.Options"/>.</summary>
public static class DPoPHttpRequestMessageExtensions
{
    /// <summary>The request option that carries the DPoP-bound access token of one request.</summary>
    public static readonly HttpRequestOptionsKey<string> AccessTokenKey = new("DPoP.Http.AccessToken");

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

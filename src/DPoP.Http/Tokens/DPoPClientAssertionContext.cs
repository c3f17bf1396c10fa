namespace DPoP.Http;

/// <summary>What a client assertion is for: given to <see cref="IDPoPClientAssertionProvider.CreateAssertionAsync"/> for each token request.</summary>
public sealed class DPoPClientAssertionContext
{
    /// <summary>Creates a context (the token client creates one per request; public for tests of an <see cref="IDPoPClientAssertionProvider"/>).</summary>
    /// <param name="clientId">The client identifier: the assertion's <c>iss</c> and <c>sub</c>.</param>
    /// <param name="audience">The assertion's <c>aud</c>.</param>
    /// <param name="tokenEndpoint">The endpoint the assertion is sent to.</param>
    /// <param name="grantType">The grant of the request (<c>client_credentials</c>, <c>refresh_token</c>, …), or <c>revocation</c> for a revocation request.</param>
    /// <exception cref="ArgumentException"><paramref name="clientId"/>, <paramref name="audience"/> or <paramref name="grantType"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="tokenEndpoint"/> is null.</exception>
    public DPoPClientAssertionContext(string clientId, string audience, Uri tokenEndpoint, string grantType)
    {
        ArgumentException.ThrowIfNullOrEmpty(clientId);
        ArgumentException.ThrowIfNullOrEmpty(audience);
        ArgumentNullException.ThrowIfNull(tokenEndpoint);
        ArgumentException.ThrowIfNullOrEmpty(grantType);
        ClientId = clientId;
        Audience = audience;
        TokenEndpoint = tokenEndpoint;
        GrantType = grantType;
    }

    /// <summary>The client identifier: the assertion's <c>iss</c> and <c>sub</c> (RFC 7523 §3).</summary>
    public string ClientId { get; }

    /// <summary>The assertion's <c>aud</c>: <see cref="DPoPTokenClientOptions.ClientAssertionAudience"/>, or the token endpoint.</summary>
    public string Audience { get; }

    /// <summary>The endpoint the request goes to (the token endpoint, or the revocation endpoint).</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The request's <c>grant_type</c>, or <c>revocation</c> for a revocation request (RFC 7009).</summary>
    public string GrantType { get; }
}

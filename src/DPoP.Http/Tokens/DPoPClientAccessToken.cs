namespace DPoP.Http;

/// <summary>
/// A DPoP client's cached access token, from <see cref="IDPoPClientAccessTokens"/>: the very token the client's
/// HttpClient sends, and the key it is bound to, for code that calls an API outside that HttpClient (a SignalR
/// connection, a gRPC channel). Build each request's proof with
/// <c>DPoPProof.Create(token.Key, method, uri, token.AccessToken, nonce)</c>.
/// </summary>
public sealed class DPoPClientAccessToken
{
    /// <summary>Creates a token description (for an <see cref="IDPoPClientAccessTokenCache"/>, and for tests of code that uses <see cref="IDPoPClientAccessTokens"/>).</summary>
    /// <param name="accessToken">The access token.</param>
    /// <param name="tokenType">The token type: <c>DPoP</c> for a bound token.</param>
    /// <param name="expiresAt">When the token expires.</param>
    /// <param name="scope">The granted scope, if known.</param>
    /// <param name="key">The key the token is bound to (the one its token request was signed with).</param>
    /// <exception cref="ArgumentException"><paramref name="accessToken"/> or <paramref name="tokenType"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public DPoPClientAccessToken(string accessToken, string tokenType, DateTimeOffset expiresAt, string? scope, DPoPKey key)
    {
        ArgumentException.ThrowIfNullOrEmpty(accessToken);
        ArgumentException.ThrowIfNullOrEmpty(tokenType);
        ArgumentNullException.ThrowIfNull(key);
        AccessToken = accessToken;
        TokenType = tokenType;
        ExpiresAt = expiresAt;
        Scope = scope;
        Key = key;
    }

    /// <summary>The access token. Treat it as a secret.</summary>
    public string AccessToken { get; }

    /// <summary>The token type as the server sent it: <c>DPoP</c> for a bound token, <c>Bearer</c> when the client allows Bearer tokens.</summary>
    public string TokenType { get; }

    /// <summary>
    /// Whether the token is DPoP-bound (<see cref="TokenType"/> <c>DPoP</c>, compared case-insensitively): send it as
    /// <c>Authorization: DPoP</c> with a proof that carries its <c>ath</c>; otherwise send it as <c>Bearer</c>.
    /// </summary>
    public bool IsDPoPBound => string.Equals(TokenType, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>When the token expires (the token endpoint's <c>expires_in</c> from when it answered).</summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>The granted scope, if the token endpoint said.</summary>
    public string? Scope { get; }

    /// <summary>
    /// The key the token is bound to: the client's DPoP key that signed the token request. After the client's key
    /// provider rotated its key, this stays the key of this token (its <c>cnf.jkt</c>) until the token is renewed. It
    /// belongs to the client's key source (it outlives this token): do not dispose it.
    /// </summary>
    public DPoPKey Key { get; }

    /// <summary>Shows type, expiry, scope and the key's thumbprint, never the token.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"DPoPClientAccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, JwkThumbprint = {Key.JwkThumbprint} }}";
}

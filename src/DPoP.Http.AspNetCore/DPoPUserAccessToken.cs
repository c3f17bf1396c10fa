namespace DPoP.Http.AspNetCore;

/// <summary>
/// A signed-in user's access token and the key it is bound to, from <see cref="IDPoPUserAccessTokens"/>: the token the
/// user's <c>AddDPoPUserAccessToken()</c> HttpClients send. Build each request's proof with
/// <c>DPoPProof.Create(token.Key, method, uri, token.AccessToken, nonce)</c>. Dispose it when done: a per-session key
/// is a copy of the session's own, and disposing it clears that copy (an app-wide key is left alone).
/// </summary>
public sealed class DPoPUserAccessToken : IDisposable
{
    // The description, its checks and properties are a client token's; what differs is who owns the key.
    private readonly DPoPClientAccessToken _token;
    private readonly bool _ownsKey;

    /// <summary>Creates a token description (for tests of code that uses <see cref="IDPoPUserAccessTokens"/>); the key is not disposed with it.</summary>
    /// <param name="accessToken">The access token.</param>
    /// <param name="tokenType">The token type: <c>DPoP</c> for a bound token.</param>
    /// <param name="expiresAt">When the token expires.</param>
    /// <param name="scope">The granted scope, if known.</param>
    /// <param name="key">The key the token is bound to.</param>
    /// <exception cref="ArgumentException"><paramref name="accessToken"/> or <paramref name="tokenType"/> is null or empty.</exception>
    /// <exception cref="ArgumentNullException"><paramref name="key"/> is null.</exception>
    public DPoPUserAccessToken(string accessToken, string tokenType, DateTimeOffset expiresAt, string? scope, DPoPKey key)
        : this(new DPoPClientAccessToken(accessToken, tokenType, expiresAt, scope, key), ownsKey: false)
    {
    }

    internal DPoPUserAccessToken(DPoPClientAccessToken token, bool ownsKey)
    {
        _token = token;
        _ownsKey = ownsKey;
    }

    /// <summary>The access token. Treat it as a secret.</summary>
    public string AccessToken => _token.AccessToken;

    /// <summary>The token type as the server sent it: <c>DPoP</c> for a bound token, <c>Bearer</c> when the scheme allows Bearer tokens.</summary>
    public string TokenType => _token.TokenType;

    /// <summary>Whether the token is DPoP-bound (<see cref="TokenType"/> <c>DPoP</c>, compared case-insensitively): send it as <c>Authorization: DPoP</c> with a proof that carries its <c>ath</c>.</summary>
    public bool IsDPoPBound => _token.IsDPoPBound;

    /// <summary>When the token expires (the token endpoint's <c>expires_in</c> from when it answered).</summary>
    public DateTimeOffset ExpiresAt => _token.ExpiresAt;

    /// <summary>The granted scope, if the token endpoint said.</summary>
    public string? Scope => _token.Scope;

    /// <summary>The key the token is bound to (its <c>cnf.jkt</c>): the session's own key, or the scheme's app-wide key.</summary>
    public DPoPKey Key => _token.Key;

    /// <summary>Clears this token's copy of a per-session key; an app-wide key belongs to its source and is left alone.</summary>
    public void Dispose()
    {
        if (_ownsKey)
        {
            Key.Dispose();
        }
    }

    /// <summary>Shows type, expiry, scope and the key's thumbprint, never the token.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"DPoPUserAccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, JwkThumbprint = {Key.JwkThumbprint} }}";
}

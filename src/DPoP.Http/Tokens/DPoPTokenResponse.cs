namespace DPoP.Http;

/// <summary>A successful token response (RFC 6749 §5.1) from <see cref="DPoPTokenClient"/>.</summary>
public sealed class DPoPTokenResponse
{
    internal DPoPTokenResponse(string accessToken, string tokenType, DateTimeOffset expiresAt, TimeSpan? expiresIn, string? refreshToken, string? scope, string? idToken = null)
    {
        AccessToken = accessToken;
        TokenType = tokenType;
        ExpiresAt = expiresAt;
        ExpiresIn = expiresIn;
        RefreshToken = refreshToken;
        Scope = scope;
        IdToken = idToken;
    }

    /// <summary>The access token. Treat it as a secret.</summary>
    public string AccessToken { get; }

    /// <summary>The token type as the server sent it: <c>DPoP</c> for a bound token.</summary>
    public string TokenType { get; }

    /// <summary>Whether the token is DPoP-bound (<c>token_type</c> <c>DPoP</c>, compared case-insensitively).</summary>
    public bool IsDPoPBound => string.Equals(TokenType, DPoPHeaders.AuthorizationScheme, StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// When the token expires: the time the response arrived plus <see cref="ExpiresIn"/>, or plus
    /// <see cref="DPoPTokenClientOptions.DefaultTokenLifetime"/> when the server gave no usable <c>expires_in</c>.
    /// Never later than <see cref="DateTimeOffset.MaxValue"/> (a clock near year 9999 does not overflow).
    /// </summary>
    public DateTimeOffset ExpiresAt { get; }

    /// <summary>
    /// The <c>expires_in</c> the server sent (a JSON number, or a string holding one), clamped to 365 days: larger
    /// values, <c>Infinity</c> and numbers beyond <see cref="double"/> count as 365 days. Null when the server sent
    /// none, <c>null</c>, or a value that is not a positive lifetime (zero, negative, <c>NaN</c>, under 100 ns).
    /// </summary>
    public TimeSpan? ExpiresIn { get; }

    /// <summary>The refresh token, if one was issued. For a public client it is bound to the DPoP key (RFC 9449 §5).</summary>
    public string? RefreshToken { get; }

    /// <summary>The granted scope, if the server said.</summary>
    public string? Scope { get; }

    /// <summary>The OpenID Connect ID token (<c>id_token</c>), when the server issued one (authorization code grant with the <c>openid</c> scope). Treat it as a secret.</summary>
    public string? IdToken { get; }

    /// <summary>Shows type, expiry and scope, never a token.</summary>
    /// <returns>A description without secrets.</returns>
    public override string ToString() => $"DPoPTokenResponse {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, Scope = {Scope}, HasRefreshToken = {RefreshToken is not null} }}";
}

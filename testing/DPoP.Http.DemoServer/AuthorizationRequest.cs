namespace DPoP.Http.DemoServer;

/// <summary>A validated authorization request (RFC 6749 §4.1.1, OpenID Connect Core §3.1.2.1), direct or pushed.</summary>
/// <param name="ClientId">The web client.</param>
/// <param name="RedirectUri">The registered redirect URI the response goes to, exactly as the client sent it.</param>
/// <param name="ResponseMode"><c>query</c> or <c>form_post</c>.</param>
/// <param name="Scope">The requested scope, or null.</param>
/// <param name="State">The client's state, echoed in the response, or null.</param>
/// <param name="Nonce">The OpenID Connect nonce, copied into the ID token, or null.</param>
/// <param name="CodeChallenge">The PKCE S256 challenge (RFC 7636).</param>
/// <param name="DPoPJkt">The thumbprint the code is bound to (RFC 9449 §10), or null.</param>
/// <param name="LoginHint">The user the client suggests, or null.</param>
internal sealed record AuthorizationRequest(
    string ClientId,
    string RedirectUri,
    string ResponseMode,
    string? Scope,
    string? State,
    string? Nonce,
    string CodeChallenge,
    string? DPoPJkt,
    string? LoginHint)
{
    /// <summary>Whether the scope asks for OpenID Connect (then the token response carries an ID token).</summary>
    public bool IsOpenId => Scope is not null && Scope.Split(' ').Contains("openid", StringComparer.Ordinal);
}

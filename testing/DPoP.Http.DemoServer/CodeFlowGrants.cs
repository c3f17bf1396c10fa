using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>
/// The token endpoint's grants for web clients: <c>authorization_code</c> (RFC 6749 §4.1.3 with PKCE, RFC 7636 §4.6,
/// and the code's <c>dpop_jkt</c>, RFC 9449 §10) and <c>refresh_token</c> (RFC 6749 §6) with rotation: each refresh
/// token works once, is bound to the key of the proof that obtained it (RFC 9449 §5), and a second use of a code or
/// refresh token revokes its whole grant (RFC 9700 §4.14.2). Called after the client and the proof were checked.
/// </summary>
internal sealed class CodeFlowGrants
{
    private readonly DemoServerSettings _settings;
    private readonly AuthorizationState _state;
    private readonly AccessTokenService _tokens;
    private readonly IdTokenService _idTokens;

    public CodeFlowGrants(DemoServerSettings settings, AuthorizationState state, AccessTokenService tokens, IdTokenService idTokens)
    {
        _settings = settings;
        _state = state;
        _tokens = tokens;
        _idTokens = idTokens;
    }

    /// <summary>Exchanges a code for tokens bound to <paramref name="thumbprint"/>, the proof's key.</summary>
    public GrantResult ExchangeCode(HttpContext context, IFormCollection form, string clientId, string thumbprint)
    {
        var codeValue = Single(form, "code");
        var redirectUri = Single(form, "redirect_uri");
        var verifier = Single(form, "code_verifier");
        if (codeValue is null || redirectUri is null || verifier is null)
        {
            return GrantResult.Fail("invalid_request", "code, redirect_uri and code_verifier are required, once each");
        }

        var code = _state.FindCode(codeValue);
        if (code is null)
        {
            return GrantResult.Fail("invalid_grant", "authorization code unknown or expired");
        }

        if (code.Request.ClientId != clientId)
        {
            return GrantResult.Fail("invalid_grant", "authorization code was issued to another client");
        }

        if (redirectUri != code.Request.RedirectUri)
        {
            return GrantResult.Fail("invalid_grant", "redirect_uri does not match the authorization request");
        }

        // RFC 7636 §4.6: BASE64URL(SHA256(ASCII(code_verifier))) == code_challenge.
        var computed = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        if (!FixedTimeEquals(computed, code.Request.CodeChallenge))
        {
            return GrantResult.Fail("invalid_grant", "code_verifier does not match the code_challenge (PKCE)");
        }

        // RFC 9449 §10: the proof's key must be the one named at the authorization request.
        if (code.Request.DPoPJkt is not null && code.Request.DPoPJkt != thumbprint)
        {
            return GrantResult.Fail("invalid_grant", "DPoP proof key does not match dpop_jkt of the authorization request");
        }

        if (!code.TryRedeem())
        {
            // RFC 6749 §4.1.2: a code used twice revokes what was issued from it.
            _state.RevokeGrant(code.GrantId);
            return GrantResult.Fail("invalid_grant", "authorization code already used; the tokens issued from it are revoked");
        }

        var issuer = DemoServer.IssuerFor(context);
        var request = code.Request;
        var (accessToken, refreshToken) = IssueTokens(issuer, clientId, code.User, request.Scope, thumbprint, code.GrantId, code.AuthTime);
        var idToken = request.IsOpenId
            ? _idTokens.Issue(issuer, clientId, code.User, request.Nonce, code.AuthTime, accessToken, _settings.IdTokenLifetime)
            : null;
        return new GrantResult(null, string.Empty, accessToken, refreshToken, idToken, request.Scope, code.User.Subject);
    }

    /// <summary>Uses a refresh token once, with a proof of the key it is bound to, for a new access and refresh token.</summary>
    public GrantResult Refresh(HttpContext context, IFormCollection form, string clientId, string thumbprint)
    {
        var value = Single(form, "refresh_token");
        if (value is null)
        {
            return GrantResult.Fail("invalid_request", "refresh_token is required, once");
        }

        var token = _state.FindRefreshToken(value);
        if (token is null)
        {
            return GrantResult.Fail("invalid_grant", "refresh token unknown, expired or revoked");
        }

        if (token.ClientId != clientId)
        {
            return GrantResult.Fail("invalid_grant", "refresh token was issued to another client");
        }

        // RFC 9449 §5: a bound refresh token needs a proof of the same key.
        if (token.BoundThumbprint is not null && token.BoundThumbprint != thumbprint)
        {
            return GrantResult.Fail("invalid_grant", "DPoP proof key does not match the refresh token's binding");
        }

        var scope = Single(form, "scope") ?? token.Scope;
        if (!IsSubset(scope, token.Scope))
        {
            return GrantResult.Fail("invalid_scope", "scope exceeds the scope of the grant");
        }

        if (!token.TryUse())
        {
            // RFC 9700 §4.14.2: a rotated refresh token used again means it leaked (or was lost); end the grant.
            _state.RevokeGrant(token.GrantId);
            return GrantResult.Fail("invalid_grant", "refresh token already used (rotated); its grant is revoked");
        }

        var (accessToken, refreshToken) = IssueTokens(DemoServer.IssuerFor(context), clientId, token.User, scope, token.BoundThumbprint, token.GrantId, token.AuthTime, token.Scope);
        return new GrantResult(null, string.Empty, accessToken, refreshToken, null, scope, token.User.Subject);
    }

    private (string AccessToken, string RefreshToken) IssueTokens(
        string issuer, string clientId, DemoUser user, string? scope, string? thumbprint, string grantId, DateTimeOffset authTime, string? grantScope = null)
    {
        var bound = _settings.IssueBearerTokens ? null : thumbprint;
        var accessToken = _tokens.Issue(issuer, clientId, scope, bound, _settings.AccessTokenLifetime, user.Subject);
        var issued = new JsonWebToken(accessToken);
        _state.RecordAccessToken(issued.Id, grantId, new DateTimeOffset(issued.ValidTo, TimeSpan.Zero));
        var refreshToken = _state.AddRefreshToken(new IssuedRefreshToken(
            clientId, user, grantScope ?? scope, bound, grantId, authTime, _settings.TimeProvider.GetUtcNow() + _settings.RefreshTokenLifetime));
        return (accessToken, refreshToken);
    }

    private static string? Single(IFormCollection form, string name) =>
        form.TryGetValue(name, out var value) && value.Count == 1 && !string.IsNullOrEmpty(value[0]) ? value[0] : null;

    private static bool IsSubset(string? requested, string? granted)
    {
        if (requested is null)
        {
            return true;
        }

        var grantedScopes = (granted ?? string.Empty).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return requested.Split(' ', StringSplitOptions.RemoveEmptyEntries).All(s => grantedScopes.Contains(s, StringComparer.Ordinal));
    }

    private static bool FixedTimeEquals(string a, string b) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(a), Encoding.ASCII.GetBytes(b));
}

using System.Text.Json.Serialization;
using DPoP.Http.Internal;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// What a signed-in session holds server-side: its tokens and, with per-session keys, its private DPoP key (a
/// private JWK); beside the sign-in's access token, those obtained by refresh for other resources (RFC 8707), by
/// <see cref="TokenTarget.Key"/>. Only ever stored protected with Data Protection (<see cref="UserSessionStore"/>).
/// </summary>
internal sealed record UserSession(
    [property: JsonPropertyName("at")] string AccessToken,
    [property: JsonPropertyName("tt")] string TokenType,
    [property: JsonPropertyName("exp")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("iat")] DateTimeOffset IssuedAt,
    [property: JsonPropertyName("rt")] string? RefreshToken,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("key")] string? PrivateJwk,
    [property: JsonPropertyName("res")] Dictionary<string, SessionAccessToken>? ResourceTokens = null)
{
    /// <summary>The session's access token for <paramref name="target"/>; null when none has been obtained yet.</summary>
    public SessionAccessToken? TokenFor(TokenTarget target) => target.Key is not { } key
        ? new SessionAccessToken(AccessToken, TokenType, ExpiresAt, IssuedAt, Scope)
        : ResourceTokens?.GetValueOrDefault(key);

    /// <summary>The session after a refresh for <paramref name="target"/>: that token replaced, the (rotated) refresh token kept for all.</summary>
    public UserSession WithToken(TokenTarget target, DPoPTokenResponse response, DateTimeOffset issuedAt)
    {
        var refreshToken = response.RefreshToken ?? RefreshToken;
        if (target.Key is not { } key)
        {
            return this with
            {
                AccessToken = response.AccessToken,
                TokenType = response.TokenType,
                ExpiresAt = response.ExpiresAt,
                IssuedAt = issuedAt,
                RefreshToken = refreshToken,
                Scope = response.Scope ?? Scope,
            };
        }

        var tokens = ResourceTokens is null ? new Dictionary<string, SessionAccessToken>(StringComparer.Ordinal) : new Dictionary<string, SessionAccessToken>(ResourceTokens, StringComparer.Ordinal);
        tokens[key] = new SessionAccessToken(response.AccessToken, response.TokenType, response.ExpiresAt, issuedAt, response.Scope ?? target.Scope);
        return this with { RefreshToken = refreshToken, ResourceTokens = tokens };
    }

    /// <summary>Never shows a token or the key.</summary>
    public override string ToString() => $"UserSession {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, HasRefreshToken = {RefreshToken is not null}, SessionKey = {PrivateJwk is not null}, ResourceTokens = {ResourceTokens?.Count ?? 0} }}";
}

/// <summary>One access token of a session.</summary>
internal sealed record SessionAccessToken(
    [property: JsonPropertyName("at")] string AccessToken,
    [property: JsonPropertyName("tt")] string TokenType,
    [property: JsonPropertyName("exp")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("iat")] DateTimeOffset IssuedAt,
    [property: JsonPropertyName("scope")] string? Scope)
{
    /// <summary>When to refresh it: the token engine's rule (<see cref="DPoPCachedToken.RenewalTime"/>) over the lifetime it was issued with.</summary>
    public DateTimeOffset RenewAt(TimeSpan refreshBeforeExpiry) => DPoPCachedToken.RenewalTime(ExpiresAt, IssuedAt, refreshBeforeExpiry);

    /// <summary>Never shows the token.</summary>
    public override string ToString() => $"SessionAccessToken {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O} }}";
}

[JsonSerializable(typeof(UserSession))]
internal sealed partial class UserSessionJsonContext : JsonSerializerContext;

using System.Text.Json.Serialization;

namespace DPoP.Http.AspNetCore.Internal;

/// <summary>
/// What a signed-in session holds server-side: its tokens and, with per-session keys, its private DPoP key (a
/// private JWK). Only ever stored protected with Data Protection (<see cref="UserSessionStore"/>).
/// </summary>
internal sealed record UserSession(
    [property: JsonPropertyName("at")] string AccessToken,
    [property: JsonPropertyName("tt")] string TokenType,
    [property: JsonPropertyName("exp")] DateTimeOffset ExpiresAt,
    [property: JsonPropertyName("iat")] DateTimeOffset IssuedAt,
    [property: JsonPropertyName("rt")] string? RefreshToken,
    [property: JsonPropertyName("scope")] string? Scope,
    [property: JsonPropertyName("key")] string? PrivateJwk)
{
    /// <summary>Never shows a token or the key.</summary>
    public override string ToString() => $"UserSession {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, HasRefreshToken = {RefreshToken is not null}, SessionKey = {PrivateJwk is not null} }}";
}

[JsonSerializable(typeof(UserSession))]
internal sealed partial class UserSessionJsonContext : JsonSerializerContext;

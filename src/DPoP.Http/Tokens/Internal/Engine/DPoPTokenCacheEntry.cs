using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>
/// A shared token cache entry: the access token, its type, when it expires and when to renew it, its scope and the
/// thumbprint of the key it is bound to — never a client secret, a refresh token or key material. Stored as a small
/// JSON string (HybridCache keeps strings as they are, no serializer to register, trimming- and AOT-safe).
/// </summary>
internal sealed record DPoPTokenCacheEntry(string AccessToken, string TokenType, DateTimeOffset ExpiresAt, DateTimeOffset RenewAt, string? Scope, string JwkThumbprint)
{
    private const int Version = 1;

    public string Serialize()
    {
        using var buffer = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteNumber("v", Version);
            writer.WriteString("jkt", JwkThumbprint);
            writer.WriteString("token_type", TokenType);
            writer.WriteString("access_token", AccessToken);
            writer.WriteNumber("expires_at", ExpiresAt.ToUnixTimeMilliseconds());
            writer.WriteNumber("renew_at", RenewAt.ToUnixTimeMilliseconds());
            if (Scope is not null)
            {
                writer.WriteString("scope", Scope);
            }

            writer.WriteEndObject();
        }

        return System.Text.Encoding.UTF8.GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
    }

    /// <summary>Reads an entry; false for anything that is not one this version wrote (corrupt, foreign, another version).</summary>
    public static bool TryParse(string? text, out DPoPTokenCacheEntry? entry)
    {
        entry = null;
        if (string.IsNullOrEmpty(text))
        {
            return false;
        }

        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object
                || !root.TryGetProperty("v", out var version) || version.ValueKind != JsonValueKind.Number || version.GetInt32() != Version
                || String(root, "jkt") is not { Length: > 0 } jkt
                || String(root, "token_type") is not { Length: > 0 } tokenType
                || String(root, "access_token") is not { Length: > 0 } accessToken
                || Milliseconds(root, "expires_at") is not { } expiresAt
                || Milliseconds(root, "renew_at") is not { } renewAt
                || renewAt > expiresAt)
            {
                return false;
            }

            var scope = root.TryGetProperty("scope", out var scopeValue) && scopeValue.ValueKind == JsonValueKind.String ? scopeValue.GetString() : null;
            entry = new DPoPTokenCacheEntry(accessToken, tokenType, expiresAt, renewAt, scope, jkt);
            return true;
        }
        catch (Exception ex) when (ex is JsonException or FormatException or InvalidOperationException or ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static string? String(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static DateTimeOffset? Milliseconds(JsonElement root, string name) =>
        root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var ms)
            && ms >= 0 && ms <= DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()
            ? DateTimeOffset.FromUnixTimeMilliseconds(ms)
            : null;

    // The token is a secret: never in a log or debugger display by accident.
    public override string ToString() => $"DPoPTokenCacheEntry {{ TokenType = {TokenType}, ExpiresAt = {ExpiresAt:O}, RenewAt = {RenewAt:O} }}";
}

using System.Text.Json;

namespace DPoP.Http.Testing;

/// <summary>
/// A confidential client registered at the authorization server (secrets and keys are made anew per run): a secret
/// for client_secret_basic/client_secret_post, a private JWK for private_key_jwt.
/// </summary>
public sealed record OAuthClient(string Id, string? Secret, string AuthMethod, string? PrivateJwk = null)
{
    /// <summary>Reads one client of the ready line as.mjs printed.</summary>
    public static OAuthClient Parse(JsonElement client) => new(
        client.GetProperty("id").GetString()!,
        client.TryGetProperty("secret", out var secret) ? secret.GetString() : null,
        client.GetProperty("method").GetString()!,
        client.TryGetProperty("privateJwk", out var jwk) ? jwk.GetRawText() : null);

    /// <summary>No secret in test output.</summary>
    public override string ToString() => $"{Id} ({AuthMethod})";
}

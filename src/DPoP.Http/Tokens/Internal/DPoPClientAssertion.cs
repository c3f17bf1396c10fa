using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>
/// A <c>private_key_jwt</c> client assertion (RFC 7523 §3, OpenID Connect Core §9): a short-lived JWT signed with the
/// client's registered key, with iss = sub = client id, aud = the token endpoint, a unique jti and a 60 s lifetime.
/// </summary>
internal static class DPoPClientAssertion
{
    private static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(60);

    public static string Create(DPoPKey key, string clientId, string audience, string? keyId, TimeProvider timeProvider)
    {
        var now = timeProvider.GetUtcNow().ToUnixTimeSeconds();
        Span<byte> jti = stackalloc byte[16];
        RandomNumberGenerator.Fill(jti);

        var header = Encode(writer =>
        {
            writer.WriteString("alg", key.Algorithm);
            writer.WriteString("typ", "JWT");
            if (keyId is not null)
            {
                writer.WriteString("kid", keyId);
            }
        });
        var jtiText = Base64Url.EncodeToString(jti);
        var payload = Encode(writer =>
        {
            writer.WriteString("iss", clientId);
            writer.WriteString("sub", clientId);
            writer.WriteString("aud", audience);
            writer.WriteString("jti", jtiText);
            writer.WriteNumber("iat", now);
            writer.WriteNumber("exp", now + (long)Lifetime.TotalSeconds);
        });

        var signingInput = Encoding.ASCII.GetBytes($"{header}.{payload}");
        var signature = new byte[key.SignatureSize];
        var length = key.Sign(signingInput, signature);
        return $"{header}.{payload}.{Base64Url.EncodeToString(signature.AsSpan(0, length))}";
    }

    private static string Encode(Action<Utf8JsonWriter> members)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            members(writer);
            writer.WriteEndObject();
        }

        return Base64Url.EncodeToString(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
    }
}

using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>RFC 7638 JWK thumbprints: SHA-256 over the required public members, in lexicographic order, no whitespace.</summary>
internal static class JwkThumbprints
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // RFC 7638 §3.3: the members are written with no escaping beyond what JSON requires.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static string Compute(IReadOnlyDictionary<string, string> jwk, string paramName)
    {
        ArgumentNullException.ThrowIfNull(jwk, paramName);
        if (!jwk.TryGetValue("kty", out var kty) || string.IsNullOrEmpty(kty))
        {
            throw new ArgumentException("The JWK has no 'kty' member.", paramName);
        }

        // RFC 7638 §3.2: the required members per key type, already in lexicographic order.
        string[] members = kty switch
        {
            "EC" => ["crv", "kty", "x", "y"],
            "RSA" => ["e", "kty", "n"],
            "OKP" => ["crv", "kty", "x"],
            _ => throw new ArgumentException("The JWK 'kty' must be EC, RSA or OKP.", paramName),
        };

        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer, WriterOptions))
        {
            writer.WriteStartObject();
            foreach (var member in members)
            {
                if (!jwk.TryGetValue(member, out var value) || string.IsNullOrEmpty(value))
                {
                    throw new ArgumentException($"The {kty} JWK has no '{member}' member, which RFC 7638 requires.", paramName);
                }

                writer.WriteString(member, value);
            }

            writer.WriteEndObject();
        }

        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(buffer.WrittenSpan, hash);
        return Base64Url.EncodeToString(hash);
    }

    public static string Compute(string jwkJson, string paramName)
    {
        ArgumentNullException.ThrowIfNull(jwkJson, paramName);

        // Members of other types are skipped: a thumbprint needs only the required string members.
        return Compute(DPoPJwkJson.ReadStringMembers(jwkJson, paramName, keyMembers: []), paramName);
    }
}

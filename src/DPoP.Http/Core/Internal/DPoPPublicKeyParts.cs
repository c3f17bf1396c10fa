using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DPoP.Http.Internal;

/// <summary>
/// The public parts of a <see cref="DPoPKey"/>, computed once when the key is created: its public JWK (RFC 7518 §6
/// members only) and the base64url protected header every proof of the key carries.
/// </summary>
internal static class DPoPPublicKeyParts
{
    public static Dictionary<string, string> EcJwk(ECDsa key, DPoPSignatureAlgorithm algorithm)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>(4, StringComparer.Ordinal)
        {
            ["kty"] = "EC",
            ["crv"] = algorithm.CurveName!,
            ["x"] = Base64Url.EncodeToString(parameters.Q.X),
            ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
        };
    }

    public static Dictionary<string, string> RsaJwk(RSA key)
    {
        var parameters = key.ExportParameters(includePrivateParameters: false);
        return new Dictionary<string, string>(3, StringComparer.Ordinal)
        {
            ["kty"] = "RSA",
            // RFC 7518 §6.3.1: n and e use the minimum number of octets.
            ["n"] = Base64Url.EncodeToString(TrimLeadingZeros(parameters.Modulus!)),
            ["e"] = Base64Url.EncodeToString(TrimLeadingZeros(parameters.Exponent!)),
        };
    }

    private static ReadOnlySpan<byte> TrimLeadingZeros(byte[] value)
    {
        var span = value.AsSpan();
        while (span.Length > 1 && span[0] == 0)
        {
            span = span[1..];
        }

        return span;
    }

    public static byte[] EncodeProtectedHeader(string algorithm, Dictionary<string, string> jwk)
    {
        using var json = new MemoryStream(256);
        using (var writer = new Utf8JsonWriter(json, new JsonWriterOptions { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            // RFC 9449 §4.2: typ, alg and the public jwk; nothing private.
            writer.WriteStartObject();
            writer.WriteString("typ", "dpop+jwt");
            writer.WriteString("alg", algorithm);
            writer.WriteStartObject("jwk");
            foreach (var (name, value) in jwk)
            {
                writer.WriteString(name, value);
            }

            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        return Encoding.ASCII.GetBytes(Base64Url.EncodeToString(json.GetBuffer().AsSpan(0, (int)json.Length)));
    }
}

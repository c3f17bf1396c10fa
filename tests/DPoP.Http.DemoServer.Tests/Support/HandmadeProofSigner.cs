using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>
/// Builds ES256 proofs by hand, so tests can break one rule at a time (wrong <c>typ</c>, a private <c>jwk</c>,
/// a missing claim…) in ways DPoP.Http's own writer never would.
/// </summary>
internal sealed class HandmadeProofSigner : IDisposable
{
    private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The public key as a JWK: kty, crv, x, y.</summary>
    public JsonObject PublicJwk()
    {
        var parameters = _key.ExportParameters(includePrivateParameters: false);
        return new JsonObject
        {
            ["kty"] = "EC",
            ["crv"] = "P-256",
            ["x"] = Base64Url.EncodeToString(parameters.Q.X),
            ["y"] = Base64Url.EncodeToString(parameters.Q.Y),
        };
    }

    /// <summary>The private scalar, base64url, for a jwk that wrongly carries <c>d</c>.</summary>
    public string PrivateScalar() => Base64Url.EncodeToString(_key.ExportParameters(includePrivateParameters: true).D);

    /// <summary>A correct header: typ dpop+jwt, alg ES256, the public jwk.</summary>
    public JsonObject Header() => new() { ["typ"] = "dpop+jwt", ["alg"] = "ES256", ["jwk"] = PublicJwk() };

    /// <summary>A correct payload for <paramref name="method"/> and <paramref name="htu"/>, with a fresh jti and iat now.</summary>
    public static JsonObject Payload(string method, Uri htu, string? nonce = null, string? ath = null, DateTimeOffset? issuedAt = null)
    {
        var payload = new JsonObject
        {
            ["jti"] = Guid.NewGuid().ToString("N"),
            ["htm"] = method,
            ["htu"] = htu.GetLeftPart(UriPartial.Path),
            ["iat"] = (issuedAt ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds(),
        };
        if (nonce is not null)
        {
            payload["nonce"] = nonce;
        }

        if (ath is not null)
        {
            payload["ath"] = ath;
        }

        return payload;
    }

    /// <summary>Signs header and payload with this signer's key (ES256, IEEE P1363 signature).</summary>
    public string Sign(JsonObject header, JsonObject payload) => SignRaw(header.ToJsonString(), payload.ToJsonString());

    /// <summary>Signs header and payload given as raw JSON text (for malformed JSON such as duplicate members).</summary>
    public string SignRaw(string headerJson, string payloadJson)
    {
        var signingInput = string.Concat(Encode(headerJson), ".", Encode(payloadJson));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256);
        return string.Concat(signingInput, ".", Base64Url.EncodeToString(signature));
    }

    /// <summary>An unsecured JWS (<c>alg</c> none, empty signature).</summary>
    public static string Unsigned(JsonObject header, JsonObject payload) =>
        string.Concat(Encode(header.ToJsonString()), ".", Encode(payload.ToJsonString()), ".");

    public void Dispose() => _key.Dispose();

    private static string Encode(string json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json));
}

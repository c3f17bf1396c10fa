using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// Checks a DPoP proof with Microsoft.IdentityModel only: it shares no code with DPoP.Http (which uses its own
/// writer and jose-jwt). The signature is checked with the key in the proof's own <c>jwk</c> header.
/// </summary>
internal static class IndependentProofVerifier
{
    private static readonly JsonWebTokenHandler Handler = new();

    public static VerifiedProof Verify(string proof)
    {
        var parts = proof.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3), "compact JWS");
        using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0]));
        var jwkJson = header.RootElement.GetProperty("jwk").GetRawText();
        var jwk = new JsonWebKey(jwkJson);

        var result = Handler.ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = jwk,
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidTypes = ["dpop+jwt"],
            TryAllIssuerSigningKeys = true,
        }).GetAwaiter().GetResult();
        Assert.That(result.IsValid, Is.True, () => $"signature/typ check failed: {result.Exception?.Message}");

        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[1]));
        return new VerifiedProof(JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0])), payload, jwkJson);
    }
}

internal sealed record VerifiedProof(JsonDocument Header, JsonDocument Payload, string JwkJson)
{
    public string HeaderString(string name) => Header.RootElement.GetProperty(name).GetString()!;

    public string Claim(string name) => Payload.RootElement.GetProperty(name).GetString()!;

    public bool HasClaim(string name) => Payload.RootElement.TryGetProperty(name, out _);

    public long IssuedAt => Payload.RootElement.GetProperty("iat").GetInt64();

    public IReadOnlyList<string> JwkMembers => [.. Header.RootElement.GetProperty("jwk").EnumerateObject().Select(p => p.Name)];

    public IReadOnlyList<string> ClaimNames => [.. Payload.RootElement.EnumerateObject().Select(p => p.Name)];
}

using System.Text.Json;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Testing;

/// <summary>
/// Checks a DPoP proof's form and signature with Microsoft.IdentityModel only: it shares no code with DPoP.Http
/// (which uses its own writer and jose-jwt). The signature is checked with the key in the proof's own <c>jwk</c>
/// header. Used by the tests (<c>IndependentProofVerifier</c>) and the benchmarks' stress server.
/// </summary>
public static class IndependentProofCheck
{
    private static readonly JsonWebTokenHandler Handler = new();

    /// <summary>
    /// A null <c>Failure</c> when <paramref name="proof"/> is a compact JWS whose header carries a public <c>jwk</c>
    /// that verifies its signature and whose <c>typ</c> is <c>dpop+jwt</c>; otherwise the rule it breaks, and in
    /// <c>Detail</c> what Microsoft.IdentityModel said (for test messages, not for headers).
    /// </summary>
    public static async Task<(string? Failure, string? Detail)> CheckAsync(string proof)
    {
        var parts = proof.Split('.');
        if (parts.Length != 3)
        {
            return ("compact JWS", null);
        }

        using var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0]));
        if (!header.RootElement.TryGetProperty("jwk", out var jwk) || jwk.TryGetProperty("d", out _))
        {
            return ("public jwk", null);
        }

        var result = await Handler.ValidateTokenAsync(proof, new TokenValidationParameters
        {
            IssuerSigningKey = new JsonWebKey(jwk.GetRawText()),
            ValidateIssuer = false,
            ValidateAudience = false,
            ValidateLifetime = false,
            RequireExpirationTime = false,
            RequireSignedTokens = true,
            ValidTypes = ["dpop+jwt"],
            TryAllIssuerSigningKeys = true,
        }).ConfigureAwait(false);
        return result.IsValid ? (null, null) : ("signature or typ", result.Exception?.Message);
    }
}

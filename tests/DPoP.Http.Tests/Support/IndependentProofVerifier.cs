using System.Text.Json;
using DPoP.Http.Testing;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Tests.Support;

/// <summary>
/// Asserts that a DPoP proof passes <see cref="IndependentProofCheck"/> (Microsoft.IdentityModel, no code shared with
/// DPoP.Http) and returns its decoded header and claims.
/// </summary>
internal static class IndependentProofVerifier
{
    public static VerifiedProof Verify(string proof)
    {
        var (failure, detail) = IndependentProofCheck.CheckAsync(proof).GetAwaiter().GetResult();
        Assert.That(failure, Is.Null, () => $"proof check failed: {failure} {detail}");

        var parts = proof.Split('.');
        var header = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[0]));
        var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(parts[1]));
        return new VerifiedProof(header, payload, header.RootElement.GetProperty("jwk").GetRawText());
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

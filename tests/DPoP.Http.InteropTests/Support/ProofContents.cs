using System.Buffers.Text;
using System.Text.Json;

namespace DPoP.Http.InteropTests.Support;

/// <summary>The members of a DPoP proof the tests look at, decoded without verification (the servers verify).</summary>
internal sealed record ProofContents(string? Typ, string? Alg, string? Jti, string? Htm, string? Htu, string? Nonce, string? Ath)
{
    public static ProofContents Decode(string proof)
    {
        var parts = proof.Split('.');
        using var header = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[0]));
        using var payload = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[1]));
        return new ProofContents(
            StringOrNull(header.RootElement, "typ"),
            StringOrNull(header.RootElement, "alg"),
            StringOrNull(payload.RootElement, "jti"),
            StringOrNull(payload.RootElement, "htm"),
            StringOrNull(payload.RootElement, "htu"),
            StringOrNull(payload.RootElement, "nonce"),
            StringOrNull(payload.RootElement, "ath"));
    }

    private static string? StringOrNull(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}

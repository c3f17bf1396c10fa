using System.Buffers.Text;
using System.Text.Json;

namespace DPoP.Http.InteropTests.Support;

/// <summary>Decodes a JWT's header and payload without verifying it: the resource server verifies.</summary>
internal static class JwtParts
{
    public static JsonElement Header(string jwt) => Decode(jwt, 0);

    public static JsonElement Payload(string jwt) => Decode(jwt, 1);

    private static JsonElement Decode(string jwt, int index)
    {
        var parts = jwt.Split('.');
        Assert.That(parts, Has.Length.EqualTo(3), "a compact JWS");
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(parts[index]));
        return document.RootElement.Clone();
    }
}

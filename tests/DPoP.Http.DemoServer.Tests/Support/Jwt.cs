using System.Buffers.Text;
using System.Text.Json;

namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>Reads the parts of a compact JWS without checking it.</summary>
internal static class Jwt
{
    public static JsonElement Header(string token) => Decode(token.Split('.')[0]);

    public static JsonElement Payload(string token) => Decode(token.Split('.')[1]);

    /// <summary>Replaces the payload and keeps header and signature, which breaks the signature.</summary>
    public static string WithPayload(string token, string payloadJson)
    {
        var parts = token.Split('.');
        return string.Concat(parts[0], ".", Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(payloadJson)), ".", parts[2]);
    }

    private static JsonElement Decode(string part)
    {
        using var document = JsonDocument.Parse(Base64Url.DecodeFromChars(part));
        return document.RootElement.Clone();
    }
}

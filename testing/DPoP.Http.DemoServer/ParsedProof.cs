using System.Text.Json;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer;

/// <summary>A DPoP proof split into its compact JWS parts, with header and payload parsed as JSON objects.</summary>
internal sealed class ParsedProof
{
    /// <summary>The payload claims reported in events (RFC 9449 §4.2), in this order.</summary>
    private static readonly string[] ReportedClaims = ["jti", "htm", "htu", "iat", "ath", "nonce"];

    // Duplicate members would let two JSON parsers read different values from one header or payload.
    private static readonly JsonDocumentOptions JsonOptions = new() { AllowDuplicateProperties = false, MaxDepth = 16 };

    private ParsedProof(JsonElement header, JsonElement payload)
    {
        Header = header;
        Payload = payload;
        var claims = new Dictionary<string, string>(ReportedClaims.Length, StringComparer.Ordinal);
        foreach (var name in ReportedClaims)
        {
            if (payload.TryGetProperty(name, out var value))
            {
                claims[name] = value.ValueKind == JsonValueKind.String ? value.GetString()! : value.GetRawText();
            }
        }

        Claims = claims.AsReadOnly();
    }

    public JsonElement Header { get; }

    public JsonElement Payload { get; }

    public IReadOnlyDictionary<string, string> Claims { get; }

    /// <summary>Parses a compact JWS (RFC 7515 §7.1): three base64url parts, the first two JSON objects.</summary>
    /// <param name="compact">The DPoP header value.</param>
    /// <param name="proof">The parsed proof, or null.</param>
    /// <param name="detail">What is malformed, or empty.</param>
    public static bool TryParse(string compact, out ParsedProof? proof, out string detail)
    {
        proof = null;
        var parts = compact.Split('.');
        if (parts.Length != 3)
        {
            detail = "malformed JWS: a compact JWS has three dot-separated parts";
            return false;
        }

        if (parts[0].Length == 0 || parts[1].Length == 0 || !IsBase64Url(parts[0]) || !IsBase64Url(parts[1]) || !IsBase64Url(parts[2]))
        {
            detail = "malformed JWS: the parts must be non-empty base64url";
            return false;
        }

        if (!TryParseObject(parts[0], out var header))
        {
            detail = "malformed JWS: the protected header is not a JSON object";
            return false;
        }

        if (!TryParseObject(parts[1], out var payload))
        {
            detail = "malformed JWS: the payload is not a JSON object";
            return false;
        }

        proof = new ParsedProof(header, payload);
        detail = string.Empty;
        return true;
    }

    private static bool TryParseObject(string part, out JsonElement element)
    {
        element = default;
        try
        {
            using var document = JsonDocument.Parse(Base64UrlEncoder.DecodeBytes(part), JsonOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            element = document.RootElement.Clone();
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
        catch (ArgumentException)
        {
            return false;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool IsBase64Url(string part)
    {
        foreach (var c in part)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}

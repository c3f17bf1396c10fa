using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace DPoP.Http.Samples.Web;

/// <summary>The API the signed-in user's token is for: a typed client with <c>AddDPoP().AddDPoPUserAccessToken()</c>.</summary>
internal sealed class DemoApi(HttpClient http)
{
    public async Task<ApiCall> GetOrdersAsync(CancellationToken cancellationToken)
    {
        // Relative to the client's BaseAddress, which is the API's root (the demo server's is …/api/).
        using var response = await http.GetAsync(new Uri("orders", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);

        // The request that produced this answer (after any nonce retry) and the proof the handler put on it.
        var request = response.RequestMessage;
        var proof = request?.Headers.TryGetValues("DPoP", out var values) == true ? values.Single() : null;
        var scheme = request?.Headers.Authorization?.Scheme;
        var sent = request is null ? "(unknown)" : $"{request.Method} {request.RequestUri?.AbsolutePath}";
        return new ApiCall(sent, (int)response.StatusCode, body, scheme, Decode(proof, 0), Decode(proof, 1));
    }

    /// <summary>A part of the proof (header or claims) as indented JSON; the signature is left out.</summary>
    private static string? Decode(string? proof, int part)
    {
        if (proof?.Split('.') is not { Length: 3 } parts)
        {
            return null;
        }

        var base64 = parts[part].Replace('-', '+').Replace('_', '/');
        var json = Encoding.UTF8.GetString(Convert.FromBase64String(base64.PadRight(base64.Length + ((4 - (base64.Length % 4)) % 4), '=')));
        using var document = JsonDocument.Parse(json);
        return JsonSerializer.Serialize(document.RootElement, Indented);
    }

    // The default encoder escapes '+' and other HTML-sensitive characters ("dpop\u002Bjwt"); show the JSON as the
    // proof carries it. The page HTML-encodes it, which is what keeps it safe there.
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
}

/// <summary>What one API call showed: the request as sent (method and path), status, body, the Authorization scheme sent and the proof's two JSON parts.</summary>
internal sealed record ApiCall(string Request, int Status, string Body, string? AuthorizationScheme, string? ProofHeader, string? ProofClaims);

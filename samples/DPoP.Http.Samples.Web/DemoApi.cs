using System.Text;
using System.Text.Json;

namespace DPoP.Http.Samples.Web;

/// <summary>The API the signed-in user's token is for: a typed client with <c>AddDPoP().AddUserAccessToken()</c>.</summary>
internal sealed class DemoApi(HttpClient http)
{
    public async Task<ApiCall> GetOrdersAsync(CancellationToken cancellationToken)
    {
        using var response = await http.GetAsync(new Uri("api/orders", UriKind.Relative), cancellationToken);
        var body = await response.Content.ReadAsStringAsync(cancellationToken);

        // The proof the handler put on the request that produced this answer (after any nonce retry).
        var proof = response.RequestMessage?.Headers.TryGetValues("DPoP", out var values) == true ? values.Single() : null;
        var scheme = response.RequestMessage?.Headers.Authorization?.Scheme;
        return new ApiCall((int)response.StatusCode, body, scheme, Decode(proof, 0), Decode(proof, 1));
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

    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true };
}

/// <summary>What one API call showed: status, body, the Authorization scheme sent and the proof's two JSON parts.</summary>
internal sealed record ApiCall(int Status, string Body, string? AuthorizationScheme, string? ProofHeader, string? ProofClaims);

using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace DPoP.Http.Samples.Client;

/// <summary>A typed client for the token endpoint; its HttpClient adds the DPoP proof and handles the nonce challenge.</summary>
internal sealed class TokenClient(HttpClient http, ServerSettings settings)
{
    public async Task<TokenResponse> RequestTokenAsync(CancellationToken cancellationToken = default)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, settings.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "orders")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue(
            "Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(settings.ClientId)}:{Uri.EscapeDataString(settings.ClientSecret)}")));
        using var response = await http.SendAsync(request, cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new HttpRequestException($"Token request failed: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
        }

        var token = await response.Content.ReadFromJsonAsync<TokenResponse>(cancellationToken)
            ?? throw new InvalidOperationException("The token endpoint returned no JSON.");
        if (!string.Equals(token.TokenType, "DPoP", StringComparison.OrdinalIgnoreCase))
        {
            throw new InvalidOperationException($"Expected a DPoP-bound token, got token_type '{token.TokenType}'.");
        }

        return token;
    }
}

/// <summary>The fields of an OAuth token response the sample uses.</summary>
internal sealed class TokenResponse
{
    [JsonPropertyName("access_token")]
    public string AccessToken { get; set; } = "";

    [JsonPropertyName("token_type")]
    public string TokenType { get; set; } = "";

    [JsonPropertyName("expires_in")]
    public int ExpiresIn { get; set; }

    /// <summary>The cnf.jkt of a JWT access token: the thumbprint of the key it is bound to.</summary>
    public string BoundKeyThumbprint
    {
        get
        {
            var parts = AccessToken.Split('.');
            if (parts.Length != 3)
            {
                return "(opaque token)";
            }

            using var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(parts[1]));
            return payload.RootElement.TryGetProperty("cnf", out var cnf) && cnf.TryGetProperty("jkt", out var jkt) ? jkt.GetString()! : "(no cnf.jkt)";
        }
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DPoP.Http.InteropTests.Support;

/// <summary>Calls outside DPoP: introspection (as the resource server would), revocation, and the resource server's test controls.</summary>
internal static class ServerCalls
{
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>RFC 7662 introspection at oidc-provider, authenticated as the resource server's client.</summary>
    public static async Task<JsonElement> IntrospectAsync(string token)
    {
        var server = InteropServers.AuthorizationServer;
        var body = await PostFormAsync(server.IntrospectionEndpoint, server.ResourceServerClient, token);
        using var json = JsonDocument.Parse(body);
        return json.RootElement.Clone();
    }

    /// <summary>RFC 7009 revocation at oidc-provider, authenticated as <paramref name="owner"/>, the client the token was issued to.</summary>
    public static async Task RevokeAsync(string token, OAuthClient owner) =>
        await PostFormAsync(InteropServers.AuthorizationServer.RevocationEndpoint, owner, token);

    private static async Task<string> PostFormAsync(Uri endpoint, OAuthClient client, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, endpoint)
        {
            Content = new FormUrlEncodedContent([new("token", token)]),
        };
        var credentials = $"{Uri.EscapeDataString(client.Id)}:{Uri.EscapeDataString(client.Secret!)}";
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/json"));
        using var response = await Http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{endpoint.AbsolutePath}: {body}");
        return body;
    }

    /// <summary>Makes the resource server rotate its nonce (it keeps accepting the previous one).</summary>
    public static async Task RotateResourceServerNonceAsync()
    {
        using var response = await Http.PostAsync(new Uri(InteropServers.ResourceServer, "_interop/rotate-nonce"), content: null);
        response.EnsureSuccessStatusCode();
    }
}

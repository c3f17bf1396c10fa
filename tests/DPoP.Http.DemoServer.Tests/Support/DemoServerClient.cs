using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;

namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>
/// A plain <see cref="HttpClient"/> (no proxy, no DPoP handler) that talks to one <see cref="DemoServer"/>, with the
/// request shapes the tests need. It sends nothing anywhere but the server's 127.0.0.1 address.
/// </summary>
internal sealed class DemoServerClient : IDisposable
{
    public const string ClientId = "demo-client";
    public const string ClientSecret = "demo-secret";

    public DemoServerClient(DemoServer server)
    {
        Server = server;
        Http = new HttpClient(new SocketsHttpHandler { UseProxy = false, AllowAutoRedirect = false })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
    }

    public DemoServer Server { get; }

    public HttpClient Http { get; }

    public static string Basic(string clientId, string secret) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes($"{Uri.EscapeDataString(clientId)}:{Uri.EscapeDataString(secret)}"));

    /// <summary>A client_credentials request authenticated with client_secret_basic, with the given DPoP headers.</summary>
    public HttpRequestMessage TokenRequest(params string[] proofs)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, Server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent([new("grant_type", "client_credentials")]),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Basic(ClientId, ClientSecret));
        if (proofs.Length > 0)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proofs);
        }

        return request;
    }

    public async Task<HttpResponseMessage> PostTokenAsync(params string[] proofs)
    {
        using var request = TokenRequest(proofs);
        return await Http.SendAsync(request);
    }

    /// <summary>The token endpoint's current nonce (every token endpoint response carries it).</summary>
    public async Task<string> GetTokenNonceAsync()
    {
        using var response = await PostTokenAsync();
        return NonceOf(response) ?? throw new AssertionException("The token endpoint sent no DPoP-Nonce.");
    }

    /// <summary>The resource server's current nonce (every resource response carries it).</summary>
    public async Task<string> GetResourceNonceAsync()
    {
        using var response = await Http.GetAsync(new Uri(Server.ApiBaseAddress, "nonce"));
        return NonceOf(response) ?? throw new AssertionException("The resource server sent no DPoP-Nonce.");
    }

    /// <summary>A DPoP-bound access token for <paramref name="key"/>, asking for a nonce first when the server wants one.</summary>
    public async Task<string> GetAccessTokenAsync(DPoPKey key, bool withNonce = true)
    {
        var nonce = withNonce ? await GetTokenNonceAsync() : null;
        using var response = await PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, Server.TokenEndpoint, null, nonce));
        var body = await ReadJsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK), body.ToString());
        return body.GetProperty("access_token").GetString()!;
    }

    /// <summary>Sends a resource request with <c>Authorization: {scheme} {token}</c> and the given proofs.</summary>
    public async Task<HttpResponseMessage> SendResourceAsync(HttpMethod method, Uri uri, string? scheme, string? token, string? proof, HttpContent? content = null)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = content };
        if (scheme is not null && token is not null)
        {
            request.Headers.TryAddWithoutValidation("Authorization", $"{scheme} {token}");
        }

        if (proof is not null)
        {
            request.Headers.TryAddWithoutValidation("DPoP", proof);
        }

        return await Http.SendAsync(request);
    }

    /// <summary>Sends a resource request with a fresh proof for <paramref name="key"/> and, when given, the nonce.</summary>
    public Task<HttpResponseMessage> SendResourceAsync(DPoPKey key, string token, HttpMethod method, Uri uri, string? nonce, HttpContent? content = null) =>
        SendResourceAsync(method, uri, "DPoP", token, DPoPProof.Create(key, method, uri, token, nonce), content);

    public static string? NonceOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("DPoP-Nonce", out var values) ? values.Single() : null;

    public static string ChallengeOf(HttpResponseMessage response) =>
        response.Headers.TryGetValues("WWW-Authenticate", out var values) ? string.Join(", ", values) : string.Empty;

    public static async Task<JsonElement> ReadJsonAsync(HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return document.RootElement.Clone();
    }

    /// <summary>The <c>error_description</c> of a JSON error body.</summary>
    public static async Task<string> ErrorDescriptionOf(HttpResponseMessage response) =>
        (await ReadJsonAsync(response)).GetProperty("error_description").GetString()!;

    public void Dispose() => Http.Dispose();
}

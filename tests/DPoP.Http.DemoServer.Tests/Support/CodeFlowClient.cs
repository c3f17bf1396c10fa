using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.WebUtilities;

namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>
/// Drives the demo server's authorization code flow with a plain <see cref="HttpClient"/> (no redirects followed,
/// nothing sent anywhere but the server's 127.0.0.1 address): authorization request, sign-in page, code, exchange,
/// refresh, revocation. The redirect URI is a loopback address nothing listens on; the tests read the redirect.
/// </summary>
internal sealed partial class CodeFlowClient : IDisposable
{
    public const string ClientId = DemoServerOptions.DefaultWebClientId;
    public const string ClientSecret = DemoServerOptions.DefaultWebClientSecret;
    public const string RedirectUri = "http://127.0.0.1:5999/signin-oidc";

    private readonly DemoServerClient _tokenClient;

    public CodeFlowClient(DemoServer server)
    {
        Server = server;
        _tokenClient = new DemoServerClient(server);
    }

    public DemoServer Server { get; }

    public HttpClient Http => _tokenClient.Http;

    /// <summary>A PKCE verifier and its S256 challenge (RFC 7636 §4.1, §4.2).</summary>
    public static (string Verifier, string Challenge) Pkce()
    {
        var verifier = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        return (verifier, Base64UrlEncode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
    }

    /// <summary>The parameters of a valid request; tests change or remove entries to break one rule.</summary>
    public static Dictionary<string, string?> AuthorizeParameters(string challenge, string? dpopJkt = null) => new(StringComparer.Ordinal)
    {
        ["client_id"] = ClientId,
        ["redirect_uri"] = RedirectUri,
        ["response_type"] = "code",
        ["scope"] = "openid profile offline_access",
        ["state"] = "state-" + Guid.NewGuid().ToString("N"),
        ["nonce"] = "nonce-" + Guid.NewGuid().ToString("N"),
        ["code_challenge"] = challenge,
        ["code_challenge_method"] = "S256",
        ["dpop_jkt"] = dpopJkt,
    };

    public Uri AuthorizeUri(IDictionary<string, string?> parameters) =>
        new(QueryHelpers.AddQueryString(Server.AuthorizationEndpoint.AbsoluteUri, parameters.Where(p => p.Value is not null)));

    /// <summary>Loads the sign-in page and clicks the button of <paramref name="user"/>; returns the sign-in response.</summary>
    public async Task<HttpResponseMessage> SignInAsync(Uri authorizeUri, string user = "alice")
    {
        using var page = await Http.GetAsync(authorizeUri);
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        return await PostSignInAsync(RequestIdOf(html), user);
    }

    public Task<HttpResponseMessage> PostSignInAsync(string requestId, string user) =>
        Http.PostAsync(new Uri(Server.BaseAddress, "connect/authorize/signin"), new FormUrlEncodedContent([new("request_id", requestId), new("user", user)]));

    /// <summary>The hidden request_id of a sign-in page.</summary>
    public static string RequestIdOf(string html) =>
        RequestIdPattern().Match(html) is { Success: true } match ? match.Groups[1].Value : throw new AssertionException("No request_id on the page: " + html);

    /// <summary>The query parameters of a redirect response.</summary>
    public static Dictionary<string, string> RedirectParameters(HttpResponseMessage response)
    {
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
        var location = response.Headers.Location!;
        return QueryHelpers.ParseQuery(location.Query).ToDictionary(p => p.Key, p => p.Value.ToString(), StringComparer.Ordinal);
    }

    /// <summary>Signs alice in for a fresh request (with <paramref name="dpopJkt"/>) and returns the code and PKCE verifier.</summary>
    public async Task<(string Code, string Verifier, Dictionary<string, string?> Request)> GetCodeAsync(string? dpopJkt = null, string user = "alice")
    {
        var (verifier, challenge) = Pkce();
        var parameters = AuthorizeParameters(challenge, dpopJkt);
        using var response = await SignInAsync(AuthorizeUri(parameters), user);
        return (RedirectParameters(response)["code"], verifier, parameters);
    }

    /// <summary>The token endpoint's current nonce, or null when it requires none.</summary>
    public async Task<string?> GetNonceAsync()
    {
        using var response = await _tokenClient.PostTokenAsync();
        return DemoServerClient.NonceOf(response);
    }

    /// <summary>A token request of the web client (client_secret_basic) with a proof of <paramref name="key"/> and the current nonce.</summary>
    public async Task<HttpResponseMessage> PostTokenAsync(DPoPKey? key, IEnumerable<KeyValuePair<string, string>> form, string clientId = ClientId, string clientSecret = ClientSecret)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.TokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", DemoServerClient.Basic(clientId, clientSecret));
        if (key is not null)
        {
            request.Headers.Add("DPoP", DPoPProof.Create(key, HttpMethod.Post, Server.TokenEndpoint, null, await GetNonceAsync()));
        }

        return await Http.SendAsync(request);
    }

    public Task<HttpResponseMessage> ExchangeAsync(DPoPKey key, string code, string verifier, string redirectUri = RedirectUri) =>
        PostTokenAsync(key, [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", redirectUri), new("code_verifier", verifier)]);

    public Task<HttpResponseMessage> RefreshAsync(DPoPKey key, string refreshToken) =>
        PostTokenAsync(key, [new("grant_type", "refresh_token"), new("refresh_token", refreshToken)]);

    /// <summary>Signs in and exchanges the code with <paramref name="key"/>; returns the token response.</summary>
    public async Task<JsonElement> SignInAndRedeemAsync(DPoPKey key, string user = "alice")
    {
        var (code, verifier, _) = await GetCodeAsync(key.JwkThumbprint, user);
        using var response = await ExchangeAsync(key, code, verifier);
        var body = await DemoServerClient.ReadJsonAsync(response);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
        return body;
    }

    public static async Task<(HttpStatusCode Status, string? Error, string? Description)> ErrorOf(HttpResponseMessage response)
    {
        var body = await DemoServerClient.ReadJsonAsync(response);
        return (response.StatusCode,
            body.TryGetProperty("error", out var error) ? error.GetString() : null,
            body.TryGetProperty("error_description", out var description) ? description.GetString() : null);
    }

    public void Dispose() => _tokenClient.Dispose();

    private static string Base64UrlEncode(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');

    [GeneratedRegex("name=\"request_id\" value=\"([^\"]+)\"")]
    private static partial Regex RequestIdPattern();
}

using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.Support;

/// <summary>
/// The way an app wires DPoP.Http: <c>services.AddHttpClient(name).AddDPoP(o =&gt; o.KeyName = …)</c>, one client
/// for the token endpoint and one for the API. A <see cref="RecordingHandler"/> inside each DPoP handler records
/// every attempt.
/// </summary>
internal sealed class InteropClients : IDisposable
{
    public const string TokenClient = "token";
    public const string ApiClient = "api";

    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private readonly ServiceProvider _services;
    private readonly IHttpClientFactory _factory;

    /// <param name="tokenKeyName">The key the token client signs with.</param>
    /// <param name="apiKeyName">The key the API client signs with; the token client's by default, as it must be for the token to pass.</param>
    /// <param name="algorithm">The algorithm of generated keys; the library's default (ES256) when null.</param>
    public InteropClients(string tokenKeyName, string? apiKeyName = null, string? algorithm = null)
    {
        TokenKeyName = tokenKeyName;
        ApiKeyName = apiKeyName ?? tokenKeyName;
        var services = new ServiceCollection();
        services.AddHttpClient(TokenClient, c => c.Timeout = RequestTimeout)
            .AddDPoP(o => { o.KeyName = TokenKeyName; o.Algorithm = algorithm; })
            .AddHttpMessageHandler(() => new RecordingHandler(TokenExchanges));
        services.AddHttpClient(ApiClient, c => { c.BaseAddress = InteropServers.ResourceServer; c.Timeout = RequestTimeout; })
            .AddDPoP(o => { o.KeyName = ApiKeyName; o.Algorithm = algorithm; })
            .AddHttpMessageHandler(() => new RecordingHandler(ApiExchanges));
        _services = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true });
        _factory = _services.GetRequiredService<IHttpClientFactory>();
    }

    public string TokenKeyName { get; }

    public string ApiKeyName { get; }

    public ExchangeRecorder TokenExchanges { get; } = new();

    public ExchangeRecorder ApiExchanges { get; } = new();

    public HttpClient Api => _factory.CreateClient(ApiClient);

    public HttpClient Token => _factory.CreateClient(TokenClient);

    /// <summary>The key a client signs with.</summary>
    public async Task<DPoPKey> GetKeyAsync(string keyName)
    {
        // Building the handlers first makes the key provider create each key with its client's algorithm; asked
        // first, it would create the default algorithm's key and then refuse a client that wants another.
        _ = _factory.CreateClient(TokenClient);
        _ = _factory.CreateClient(ApiClient);
        return await _services.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync(keyName, CancellationToken.None);
    }

    /// <summary>
    /// A client credentials token request (RFC 6749 §4.4) for <paramref name="resource"/> (RFC 8707), the client
    /// authenticating as its registration says; asserts a 200 and returns the response.
    /// </summary>
    public async Task<TokenResponse> RequestTokenAsync(OAuthClient client, string resource)
    {
        var server = InteropServers.AuthorizationServer;
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "client_credentials"),
            new("resource", resource),
            new("scope", server.Scope),
        };
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint);
        switch (client.AuthMethod)
        {
            case "client_secret_basic":
                // RFC 6749 §2.3.1: id and secret form-urlencoded, then base64.
                var credentials = $"{Uri.EscapeDataString(client.Id)}:{Uri.EscapeDataString(client.Secret!)}";
                request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials)));
                break;
            case "client_secret_post":
                form.Add(new("client_id", client.Id));
                form.Add(new("client_secret", client.Secret!));
                break;
            default:
                throw new ArgumentException($"Unknown client authentication method {client.AuthMethod}.", nameof(client));
        }

        request.Content = new FormUrlEncodedContent(form);
        using var response = await _factory.CreateClient(TokenClient).SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"token endpoint answered: {body}; attempts: {TokenExchanges}");

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        return new TokenResponse(
            root.GetProperty("access_token").GetString()!,
            root.GetProperty("token_type").GetString()!,
            root.TryGetProperty("scope", out var scope) ? scope.GetString() : null,
            root.GetProperty("expires_in").GetInt32());
    }

    /// <summary>Sends <paramref name="request"/> through the API client and returns status and body.</summary>
    public async Task<(HttpStatusCode Status, string Body, HttpResponseHeaders Headers)> SendToApiAsync(HttpRequestMessage request)
    {
        using var response = await Api.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync(), response.Headers);
    }

    /// <summary>Sends <paramref name="request"/> (absolute URI) through the token client, which signs with the token key.</summary>
    public async Task<(HttpStatusCode Status, string Body)> SendWithTokenClientAsync(HttpRequestMessage request)
    {
        using var response = await _factory.CreateClient(TokenClient).SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    public void Dispose() => _services.Dispose();
}

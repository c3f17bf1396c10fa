using System.Net;
using DPoP.Http.Testing;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>App tokens through the OpenID Connect scheme's own registration: <c>AddDPoPClientCredentialsToken("oidc")</c>.</summary>
public sealed class AppTokenTests : InteropTest
{
    private static string ClientCredentialsGrant => $"grant.success {InteropServers.AuthorizationServer.WebClient.Id} client_credentials";

    [Test]
    public async Task ClientCredentialsFromTheScheme_GetsOneBoundAppToken_ForManyCalls()
    {
        await using var app = await WebApp.StartAsync();
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);
        var mark = InteropServers.Log.Count;

        var results = new List<ApiResult>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await anonymous.GetAsync("app-api");
            results.Add(await ApiResult.ReadAsync(response));
        }

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.ApiStatus), Is.All.EqualTo(200), results[0].ApiError);
            Assert.That(results.Select(r => r.ClientId), Is.All.EqualTo(InteropServers.AuthorizationServer.WebClient.Id), "the scheme's client id");
            Assert.That(results.Select(r => r.User), Is.All.Null, "no one signed in");
            Assert.That(results.Select(r => r.TokenSubject), Is.All.EqualTo(InteropServers.AuthorizationServer.WebClient.Id), "an app token: its subject is the client");
            Assert.That(results.Select(r => r.TokenJkt).Distinct().Count(), Is.EqualTo(1), "bound to the app client's one key");
            Assert.That(ProviderLog.Count(mark, ClientCredentialsGrant), Is.EqualTo(1), "cached");
        });
    }

    [Test]
    public async Task ClientAccessTokens_GetAccessTokenAsync_HandsOutTheTokenTheHttpClientUses_BoundToItsKey()
    {
        await using var app = await WebApp.StartAsync();
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();
        var mark = InteropServers.Log.Count;

        var token = await tokens.GetAccessTokenAsync("app");
        var status = await CallResourceServerAsync(token);
        using var response = await anonymous.GetAsync("app-api");
        var result = await ApiResult.ReadAsync(response);
        var again = await tokens.GetAccessTokenAsync("app");

        InteropServers.Log.WaitUntilQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        Assert.Multiple(() =>
        {
            Assert.That(token.IsDPoPBound, Is.True);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "a proof built with the token's key is accepted with the token");
            Assert.That(result.ApiStatus, Is.EqualTo(200), result.ApiError);
            Assert.That(result.TokenJkt, Is.EqualTo(token.Key.JwkThumbprint), "the HttpClient signs with the same key");
            Assert.That(again.AccessToken, Is.EqualTo(token.AccessToken));
            Assert.That(ProviderLog.Count(mark, ClientCredentialsGrant), Is.EqualTo(1), "one token for the caller and the HttpClient");
        });
    }

    [Test]
    public async Task ClientAccessTokens_RenewAccessTokenAsync_GetsANewToken_ForTheHttpClientToo()
    {
        await using var app = await WebApp.StartAsync();
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();
        var mark = InteropServers.Log.Count;
        var first = await tokens.GetAccessTokenAsync("app");

        var renewed = await tokens.RenewAccessTokenAsync("app");
        using var response = await anonymous.GetAsync("app-api");
        var result = await ApiResult.ReadAsync(response);
        var current = await tokens.GetAccessTokenAsync("app");

        InteropServers.Log.WaitUntilQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        Assert.Multiple(() =>
        {
            Assert.That(renewed.AccessToken, Is.Not.EqualTo(first.AccessToken));
            Assert.That(current.AccessToken, Is.EqualTo(renewed.AccessToken));
            Assert.That(result.ApiStatus, Is.EqualTo(200), result.ApiError);
            Assert.That(ProviderLog.Count(mark, ClientCredentialsGrant), Is.EqualTo(2), "the first token and the forced renewal; the HttpClient used the new one");
        });
    }

    [Test]
    public async Task ClientAccessTokens_RemoveAccessTokenAsync_TheNextRequestGetsANewToken()
    {
        await using var app = await WebApp.StartAsync();
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();
        var mark = InteropServers.Log.Count;
        var removed = await tokens.GetAccessTokenAsync("app");

        await tokens.RemoveAccessTokenAsync("app");
        using var response = await anonymous.GetAsync("app-api");
        var result = await ApiResult.ReadAsync(response);
        var current = await tokens.GetAccessTokenAsync("app");

        InteropServers.Log.WaitUntilQuiet(TimeSpan.FromMilliseconds(300), TimeSpan.FromSeconds(3));
        Assert.Multiple(() =>
        {
            Assert.That(result.ApiStatus, Is.EqualTo(200), result.ApiError);
            Assert.That(current.AccessToken, Is.Not.EqualTo(removed.AccessToken));
            Assert.That(ProviderLog.Count(mark, ClientCredentialsGrant), Is.EqualTo(2), "the removed token, then one for the HttpClient request");
        });
    }

    [Test]
    public async Task ClientAccessTokens_UserTokenClient_IsRefusedNamingTheClient()
    {
        await using var app = await WebApp.StartAsync();
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => tokens.GetAccessTokenAsync("api"));

        Assert.That(ex!.Message, Does.Contain("'api'").And.Contain("AddDPoPClientCredentialsToken"));
    }

    [Test]
    public async Task ClientAccessTokens_GetAccessTokenAsync_AfterKeyRotation_ReturnsTheKeyTheTokenIsBoundTo()
    {
        using var keys = new RotatingKeyProvider();
        await using var app = await WebApp.StartAsync(configureServices: services => services.AddKeyedSingleton<IDPoPKeyProvider>("app", keys));
        var tokens = app.Services.GetRequiredService<IDPoPClientAccessTokens>();
        var before = await tokens.GetAccessTokenAsync("app");
        var boundKey = keys.Current;

        keys.Rotate();
        var after = await tokens.GetAccessTokenAsync("app");
        var status = await CallResourceServerAsync(after);

        Assert.Multiple(() =>
        {
            Assert.That(after.AccessToken, Is.EqualTo(before.AccessToken), "still cached");
            Assert.That(after.Key, Is.SameAs(boundKey), "the key the token is bound to, not the rotated one");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "a proof made with the returned key is accepted");
        });
    }

    /// <summary>What a SignalR or gRPC caller does with the token: its own proof, answering a nonce challenge once.</summary>
    private static async Task<HttpStatusCode> CallResourceServerAsync(DPoPClientAccessToken token)
    {
        var uri = new Uri(InteropServers.ResourceServer, "orders");
        using var client = new HttpClient();
        string? nonce = null;
        for (var attempt = 0; ; attempt++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, uri);
            foreach (var (name, value) in DPoPHeaders.Build(DPoPProof.Create(token.Key, "GET", uri.AbsoluteUri, token.AccessToken, nonce), token.AccessToken))
            {
                request.Headers.TryAddWithoutValidation(name, value);
            }

            using var response = await client.SendAsync(request);
            if (attempt > 0 || !response.Headers.TryGetValues(DPoPHeaders.Nonce, out var nonces) || response.StatusCode != HttpStatusCode.Unauthorized)
            {
                return response.StatusCode;
            }

            nonce = nonces.Single();
        }
    }

    [Test]
    public async Task ClientCredentialsFromTheScheme_WithTheClientsOwnKeyProvider_TokenIsBoundToThatKey()
    {
        using var key = DPoPKey.Generate();
        await using var app = await WebApp.StartAsync(configureServices: services =>
        {
            services.AddSingleton(key); // what FixedKeyProvider is constructed with
            services.AddHttpClient("app").AddDPoPKeyProvider<FixedKeyProvider>();
        });
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);

        using var response = await anonymous.GetAsync("app-api");
        var result = await ApiResult.ReadAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(result.ApiStatus, Is.EqualTo(200), result.ApiError);
            Assert.That(result.TokenJkt, Is.EqualTo(key.JwkThumbprint), "the token request was signed with the client's own key, as its API calls are");
        });
    }

    /// <summary>A client's own key source (a vault, an HSM), registered with AddDPoPKeyProvider&lt;T&gt;().</summary>
    private sealed class FixedKeyProvider(DPoPKey key) : IDPoPKeyProvider
    {
        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult(key);
    }
}

using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DPoP.Http.InteropTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests;

/// <summary>
/// The library's own token acquisition against oidc-provider: <see cref="DPoPTokenClient"/> with each client
/// authentication method, and <c>AddDPoPClientCredentialsToken()</c> feeding the resource server.
/// </summary>
public sealed class TokenClientTests : InteropTest
{
    public static IEnumerable<TestCaseData> AuthMethods =>
    [
        new TestCaseData("client_secret_basic"),
        new TestCaseData("client_secret_post"),
        new TestCaseData("private_key_jwt"),
    ];

    [TestCaseSource(nameof(AuthMethods))]
    public async Task RequestClientCredentialsToken_AuthMethod_BoundTokenAfterNonceChallenge(string authMethod)
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients($"token-client-{authMethod}");
        var key = await clients.GetKeyAsync(clients.TokenKeyName);
        var tokenClient = new DPoPTokenClient(clients.Token, TokenOptions.For(ClientFor(authMethod), server.JwtResource));

        var response = await tokenClient.RequestClientCredentialsTokenAsync();

        var attempts = clients.TokenExchanges.All;
        Assert.Multiple(() =>
        {
            Assert.That(response.IsDPoPBound, Is.True);
            Assert.That(response.Scope, Is.EqualTo(server.Scope));
            Assert.That(JwtParts.Payload(response.AccessToken).GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(attempts.Select(a => a.Error), Is.EqualTo(new string?[] { "use_dpop_nonce", null }), clients.TokenExchanges.ToString());
        });
    }

    [TestCaseSource(nameof(AuthMethods))]
    public async Task AddDPoPClientCredentialsToken_SequentialAndConcurrentCalls_OneTokenRequestAllAccepted(string authMethod)
    {
        var server = InteropServers.AuthorizationServer;
        var outer = new ExchangeRecorder();
        var api = new ExchangeRecorder();
        var services = new ServiceCollection();
        // Outermost on every client, the internal token endpoint client included: one entry per logical request.
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new RecordingHandler(outer)));
        services.AddHttpClient("orders", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP(o => o.KeyName = "orders")
            .AddDPoPClientCredentialsToken(o => TokenOptions.Configure(o, ClientFor(authMethod), server.JwtResource))
            .AddHttpMessageHandler(() => new RecordingHandler(api));
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");
        var key = await provider.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync("orders", CancellationToken.None);

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 3; i++)
        {
            using var response = await http.PostAsJsonAsync($"orders/{i}", new { i });
            statuses.Add(response.StatusCode);
        }

        var concurrent = await Task.WhenAll(Enumerable.Range(0, 20).Select(async i =>
        {
            using var response = await http.GetAsync(new Uri($"orders/{i}", UriKind.Relative));
            using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, Jkt: echo.RootElement.TryGetProperty("jkt", out var jkt) ? jkt.GetString() : null);
        }));

        var tokenRequests = outer.All.Where(e => e.Uri == server.TokenEndpoint).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK), api.ToString());
            Assert.That(concurrent.Select(c => c.StatusCode), Is.All.EqualTo(HttpStatusCode.OK), api.ToString());
            Assert.That(concurrent.Select(c => c.Jkt), Is.All.EqualTo(key.JwkThumbprint));
            // One token, cached for all calls. (With private_key_jwt the token client answers the nonce challenge
            // itself, so its challenged first attempt shows out here too.)
            Assert.That(tokenRequests.Where(e => e.Error != "use_dpop_nonce").Select(e => e.Status), Is.EqualTo(new[] { 200 }), outer.ToString());
            Assert.That(tokenRequests.Count(e => e.Error == "use_dpop_nonce"), Is.LessThanOrEqualTo(1));
            Assert.That(api.All.Count(e => e.Error == "use_dpop_nonce"), Is.EqualTo(1), "the first call meets the resource server's challenge; the rest use its nonce");
        });
    }

    [Test]
    public async Task AddDPoPClientCredentialsToken_TokenRevoked_RenewedAndRequestRetriedOnce()
    {
        var server = InteropServers.AuthorizationServer;
        var api = new ExchangeRecorder();
        var services = new ServiceCollection();
        services.AddHttpClient("orders", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP(o => o.KeyName = "revocation")
            .AddDPoPClientCredentialsToken(o => TokenOptions.Configure(o, server.BasicClient, server.OpaqueResource))
            .AddHttpMessageHandler(() => new RecordingHandler(api));
        await using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        using (var first = await http.GetAsync(new Uri("orders", UriKind.Relative)))
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), api.ToString());
        }

        var revoked = api.All[^1].AccessToken!;
        await ServerCalls.RevokeAsync(revoked, server.BasicClient);
        api.Clear();

        using var second = await http.GetAsync(new Uri("orders", UriKind.Relative));

        var attempts = api.All;
        Assert.Multiple(() =>
        {
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK), api.ToString());
            Assert.That(attempts, Has.Count.EqualTo(2), api.ToString());
            Assert.That(attempts[0].Error, Is.EqualTo("invalid_token"), "introspection reports the revoked token inactive");
            Assert.That(attempts[0].AccessToken, Is.EqualTo(revoked));
            Assert.That(attempts[1].AccessToken, Is.Not.EqualTo(revoked), "a new token was fetched for the retry");
            Assert.That(attempts[1].Status, Is.EqualTo(200));
        });
    }

    private static OAuthClient ClientFor(string authMethod)
    {
        var server = InteropServers.AuthorizationServer;
        return authMethod switch
        {
            "client_secret_basic" => server.BasicClient,
            "client_secret_post" => server.PostClient,
            "private_key_jwt" => server.PrivateKeyJwtClient,
            _ => throw new ArgumentOutOfRangeException(nameof(authMethod), authMethod, "unknown method"),
        };
    }
}

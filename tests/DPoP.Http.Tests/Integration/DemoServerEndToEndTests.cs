using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using DPoP.Http.Tests.Support;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;
using DemoServerOptions = DPoP.Http.DemoServer.DemoServerOptions;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Integration;

/// <summary>
/// The handler against the demo authorization and resource servers on 127.0.0.1 (Kestrel), which validate every
/// proof with Microsoft.IdentityModel, demand and rotate their own nonces and reject replays.
/// </summary>
[Category("Integration")]
public sealed class DemoServerEndToEndTests
{
    private static string CnfJkt(string accessToken)
    {
        using var payload = JsonDocument.Parse(System.Buffers.Text.Base64Url.DecodeFromChars(accessToken.Split('.')[1]));
        return payload.RootElement.GetProperty("cnf").GetProperty("jkt").GetString()!;
    }

    [TestCase(DPoPAlgorithms.ES256)]
    [TestCase(DPoPAlgorithms.ES384)]
    [TestCase(DPoPAlgorithms.ES512)]
    [TestCase(DPoPAlgorithms.RS256)]
    [TestCase(DPoPAlgorithms.PS256)]
    public async Task TokenWithNonceChallenge_ThenApiWithItsOwnChallenge_Returns200(string algorithm)
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = DemoClients.Build(server, algorithm: algorithm);
        var factory = services.GetRequiredService<IHttpClientFactory>();

        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);
        using var get = new HttpRequestMessage(HttpMethod.Get, "orders?page=1").SetDPoPAccessToken(token);
        using var getResponse = await factory.CreateClient("api").SendAsync(get);
        using var post = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = JsonContent.Create(new { item = "book", quantity = 2 }) };
        post.SetDPoPAccessToken(token);
        using var postResponse = await factory.CreateClient("api").SendAsync(post);

        using var echoed = JsonDocument.Parse(await postResponse.Content.ReadAsStringAsync());
        var stats = server.Statistics;
        Assert.Multiple(() =>
        {
            Assert.That(getResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(postResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(echoed.RootElement.GetProperty("body").GetString(), Is.EqualTo("{\"item\":\"book\",\"quantity\":2}"));
            Assert.That(stats.NonceChallenges, Is.EqualTo(2), "one at the token endpoint, one at the API");
            Assert.That(stats.TokenRequests, Is.EqualTo(2));
            Assert.That(stats.ResourceRequests, Is.EqualTo(3), "GET challenged and retried, POST with the stored nonce");
            Assert.That(stats.Rejections, Is.Zero);
            Assert.That(stats.ReplaysDetected, Is.Zero);
        });
    }

    [Test]
    public async Task TokenIsBoundToTheSharedKey()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = DemoClients.Build(server);
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);

        var provider = services.GetRequiredService<IDPoPKeyProvider>();
        var key = await provider.GetKeyAsync("shared", CancellationToken.None);
        Assert.That(CnfJkt(token), Is.EqualTo(key.JwkThumbprint));
    }

    [Test]
    public async Task TokenUsedWithAnotherKey_IsRejectedByTheServer()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = new ServiceCollection().AddHttpClient("token").AddDPoP(o => o.KeyName = "one").Services
            .AddHttpClient("api", c => c.BaseAddress = server.ApiBaseAddress).AddDPoP(o => o.KeyName = "two").Services
            .BuildServiceProvider();
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);

        using var request = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(token);
        using var response = await factory.CreateClient("api").SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(response.Headers.WwwAuthenticate.ToString(), Does.Contain("invalid_token"));
        });
    }

    [Test]
    public async Task NonceRotationMidStream_EveryRequestSucceeds()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = DemoClients.Build(server);
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);
        var api = factory.CreateClient("api");

        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 12; i++)
        {
            if (i % 3 == 0)
            {
                server.RotateNonces();
                server.RotateNonces(); // twice: the previous nonce is no longer accepted either
            }

            using var request = new HttpRequestMessage(HttpMethod.Get, $"orders/{i}").SetDPoPAccessToken(token);
            using var response = await api.SendAsync(request);
            statuses.Add(response.StatusCode);
        }

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Statistics.Rejections, Is.Zero);
            Assert.That(server.Statistics.NonceChallenges, Is.InRange(4, 6), "a challenge after each double rotation, plus the token endpoint's");
        });
    }

    [Test]
    public async Task TwoOrigins_GetDistinctNonces()
    {
        await using var first = await DemoServerHost.StartAsync();
        await using var second = await DemoServerHost.StartAsync();
        using var services = new ServiceCollection().AddHttpClient("c").AddDPoP().Services.BuildServiceProvider();
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("c");

        var tokenA = await DemoClients.GetTokenAsync(client, first);
        var tokenB = await DemoClients.GetTokenAsync(client, second);
        foreach (var (server, token) in new[] { (first, tokenA), (second, tokenB), (first, tokenA), (second, tokenB) })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(server.ApiBaseAddress, "x")).SetDPoPAccessToken(token);
            using var response = await client.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        Assert.Multiple(() =>
        {
            // Each server challenged its token endpoint once and its API once; the second round used stored nonces.
            Assert.That(first.Statistics.NonceChallenges, Is.EqualTo(2));
            Assert.That(second.Statistics.NonceChallenges, Is.EqualTo(2));
            Assert.That(first.Statistics.Rejections + second.Statistics.Rejections, Is.Zero);
        });
    }

    [Test]
    public async Task HandlerRecycling_KeepsKeyAndNonce_AgainstRealServer()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = DemoClients.Build(server, s => s.AddHttpClient("api").SetHandlerLifetime(TimeSpan.FromSeconds(1)));
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);
        using (var request = new HttpRequestMessage(HttpMethod.Get, "a").SetDPoPAccessToken(token))
        {
            (await factory.CreateClient("api").SendAsync(request)).Dispose();
        }

        var challengesBefore = server.Statistics.NonceChallenges;
        await Task.Delay(TimeSpan.FromSeconds(1.5)); // past the 1 s handler lifetime, the minimum IHttpClientFactory allows
        using var again = new HttpRequestMessage(HttpMethod.Get, "b").SetDPoPAccessToken(token);
        using var response = await factory.CreateClient("api").SendAsync(again);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the token's key survived the new handler");
            Assert.That(server.Statistics.NonceChallenges, Is.EqualTo(challengesBefore), "the nonce survived the new handler");
        });
    }

    [Test]
    public async Task ConcurrentRequests_AllPass_NoReplays()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = DemoClients.Build(server);
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);
        var api = factory.CreateClient("api");

        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(async i =>
        {
            if (i == 100)
            {
                // Once: the server still accepts the previous nonce, so requests in flight keep passing. (Two
                // rotations while a request is in flight would legitimately cost it a second challenge, which
                // the handler returns rather than retrying twice.)
                server.RotateNonces();
            }

            using var request = new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Get : HttpMethod.Post, $"orders/{i}") { Content = i % 2 == 0 ? null : new StringContent($"body-{i}") };
            request.SetDPoPAccessToken(token);
            using var response = await api.SendAsync(request);
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(results, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Statistics.ReplaysDetected, Is.Zero);
        });
    }

    [Test]
    public async Task BearerTokenFromServer_IsVisibleToTheCaller()
    {
        await using var server = await DemoServerHost.StartAsync(new DemoServerOptions { IssueBearerTokens = true });
        using var services = DemoClients.Build(server);
        using var request = new HttpRequestMessage(HttpMethod.Post, server.TokenEndpoint) { Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("client_id", "demo-client"), new("client_secret", "demo-secret")]) };
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("token").SendAsync(request);
        using var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.That(json.RootElement.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
    }
}

using System.Net;
using DPoP.Http.InteropTests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests;

/// <summary>
/// Four app instances (separate service providers, one configured key, one real Redis behind HybridCache) against
/// oidc-provider and the jose resource server: the fleet shares its token.
/// </summary>
public sealed class FleetTests
{
    private static ServiceProvider Instance(RedisServer redis, string keyPem, ExchangeRecorder tokenEndpoint)
    {
        var server = InteropServers.AuthorizationServer;
        var services = new ServiceCollection();
        services.AddHybridCache();
        services.AddStackExchangeRedisCache(o => { o.Configuration = redis.Configuration; o.InstanceName = "interop-fleet:"; });
        services.ConfigureHttpClientDefaults(b => b.AddHttpMessageHandler(() => new RecordingHandler(tokenEndpoint)));
        services.AddHttpClient("orders", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP(o => o.PrivateKey = keyPem)
            .AddDPoPClientCredentialsToken(o => TokenOptions.Configure(o, server.BasicClient, server.JwtResource));
        return services.BuildServiceProvider();
    }

    [Test]
    public async Task FourInstances_SameKey_200ConcurrentRequests_AtMostOneTokenRequestPerInstance()
    {
        await using var redis = await RedisServer.StartAsync();
        using var key = DPoPKey.Generate();
        var recorder = new ExchangeRecorder();
        var fleet = Enumerable.Range(0, 4).Select(_ => Instance(redis, key.PrivateKeyPem, recorder)).ToArray();
        try
        {
            var statuses = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
            {
                using var response = await fleet[i % 4].GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri($"orders/{i}", UriKind.Relative));
                return response.StatusCode;
            })));
            int TokensIssued() => recorder.All.Count(e => e.Uri == InteropServers.AuthorizationServer.TokenEndpoint && e.Status == 200);
            var issued = TokensIssued();

            // An instance started later takes the token from Redis (once the first instances' background stores are in).
            for (var attempt = 0; attempt < 100 && await redis.CommandAsync("KEYS", "interop-fleet:*") == "*0"; attempt++)
            {
                await Task.Delay(50);
            }

            await using var late = Instance(redis, key.PrivateKeyPem, recorder);
            using var lateResponse = await late.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri("orders/late", UriKind.Relative));
            var lateStatus = lateResponse.StatusCode;

            TestContext.Out.WriteLine($"oidc-provider: 200 concurrent requests across 4 cold instances: {issued} token(s) issued; a fifth instance later: {TokensIssued() - issued} more");
            Assert.Multiple(() =>
            {
                Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
                Assert.That(issued, Is.InRange(1, 4));
                Assert.That(lateStatus, Is.EqualTo(HttpStatusCode.OK));
                Assert.That(TokensIssued(), Is.EqualTo(issued), "the late instance took the shared token");
            });
        }
        finally
        {
            foreach (var instance in fleet)
            {
                await instance.DisposeAsync();
            }
        }
    }
}

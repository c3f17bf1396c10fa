using System.Net;
using DPoP.Http.Tests.Support;
using DPoP.Http.Tests.Tokens;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Fleet;

/// <summary>
/// Tokens of one engine shared by two app instances (own service providers and HybridCache L1s, one real Redis as L2,
/// one DPoP key) against a Kestrel token endpoint on 127.0.0.1 (issue 21): per tenant partition, and token exchange.
/// </summary>
[Category("Integration")]
[NonParallelizable]
public sealed class SharedPartitionTests
{
    private static readonly string FleetKeyPem = FleetTests.FleetKeyPem;

    private static ServiceProvider Instance(RedisServer redis, Action<IServiceCollection> register)
    {
        var services = new ServiceCollection();
        services.AddHybridCache();
        services.AddStackExchangeRedisCache(o =>
        {
            o.Configuration = redis.Configuration;
            o.InstanceName = FleetInstance.RedisInstanceName;
        });
        register(services);
        return services.BuildServiceProvider();
    }

    private static async Task WaitForEntriesAsync(RedisServer redis, int count)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (await redis.CommandAsync("DBSIZE") != $":{count}")
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), $"timed out waiting for {count} shared cache entries");
            await Task.Delay(50);
        }
    }

    [Test]
    public async Task AddDPoPTokenPartition_TwoInstancesSharingRedis_EachTenantsTokenIsRequestedOnceAndSharedWithinItsTenant()
    {
        await using var redis = await RedisServer.StartAsync();
        await using var server = await TokenPartitionTests.StartServerAsync();
        using var first = Instance(redis, services => TokenPartitionTests.AddOrders(services, server, FleetKeyPem));
        using var second = Instance(redis, services => TokenPartitionTests.AddOrders(services, server, FleetKeyPem));

        var statuses = new List<HttpStatusCode> { await TokenPartitionTests.CallAsync(first, "a"), await TokenPartitionTests.CallAsync(first, "b") };
        await WaitForEntriesAsync(redis, 2);
        statuses.AddRange(await Task.WhenAll(Enumerable.Range(0, 10).Select(i => TokenPartitionTests.CallAsync(second, i % 2 == 0 ? "b" : "a"))));

        var calls = TokenPartitionTests.ApiCalls(server);
        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(calls.Where(c => c.Authorization?.StartsWith($"DPoP tenant-{c.Tenant}-", StringComparison.Ordinal) != true).Select(c => $"{c.Tenant}: {c.Authorization}"), Is.Empty,
                "every request carries its own tenant's token, on both instances");
            Assert.That(TokenPartitionTests.TokenRequests(server), Is.EqualTo(2), "one token per tenant for the two instances");
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_TwoInstancesSharingRedis_OneExchangePerSubjectToken()
    {
        await using var redis = await RedisServer.StartAsync();
        var exchanges = 0;
        await using var server = await KestrelTestServer.StartAsync(async (context, request) =>
        {
            if (request.Uri.AbsolutePath == "/token")
            {
                var subject = System.Web.HttpUtility.ParseQueryString(request.Body!)["subject_token"];
                context.Response.ContentType = "application/json";
                await context.Response.WriteAsync($"{{\"access_token\":\"exchanged-{subject}-{Interlocked.Increment(ref exchanges)}\",\"token_type\":\"DPoP\",\"expires_in\":300}}");
            }
        });
        void Register(IServiceCollection services) => services.AddHttpClient("downstream", c => c.BaseAddress = server.BaseAddress)
            .AddDPoP(o => o.PrivateKey = FleetKeyPem)
            .AddDPoPTokenExchange(
                o =>
                {
                    o.TokenEndpoint = new Uri(server.BaseAddress, "token");
                    o.ClientId = "orders-api";
                    o.ClientAuthentication = DPoPClientAuthenticationMethod.None;
                },
                (_, _) => ValueTask.FromResult<string?>("alice-access-token"),
                exchange => exchange.Audience = "urn:downstream");
        using var first = Instance(redis, Register);
        using var second = Instance(redis, Register);

        using var one = await first.GetRequiredService<IHttpClientFactory>().CreateClient("downstream").GetAsync("orders");
        await WaitForEntriesAsync(redis, 1);
        using var two = await second.GetRequiredService<IHttpClientFactory>().CreateClient("downstream").GetAsync("orders");
        var keys = await redis.CommandAsync("KEYS", "*");

        var authorizations = server.Seen.Where(r => r.Uri.AbsolutePath == "/orders").Select(r => r.Authorization).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(new[] { one.StatusCode, two.StatusCode }, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(Volatile.Read(ref exchanges), Is.EqualTo(1), "the second instance took the token from Redis");
            Assert.That(authorizations, Is.EqualTo(new[] { "DPoP exchanged-alice-access-token-1", "DPoP exchanged-alice-access-token-1" }));
            Assert.That(keys, Does.Not.Contain("alice"), "the subject token is not part of the key");
        });
    }
}

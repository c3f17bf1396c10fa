using System.Net;
using System.Text;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using DPoP.Http.Tests.Support;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// Forced renewal and removal with tokens shared through HybridCache: instances (separate service providers, each with
/// its own HybridCache and L1) over one in-memory L2 standing in for Redis, sharing a DPoP key, against the demo servers on 127.0.0.1.
/// </summary>
[Category("Integration")]
public sealed class ClientAccessTokensSharedCacheTests
{
    private static readonly string KeyPem = NewKeyPem();

    private static string NewKeyPem()
    {
        using var key = DPoPKey.Generate();
        return key.PrivateKeyPem;
    }

    private static ClientAccessTokensTests.App Instance(DemoServerHost server, InMemoryL2Cache l2) => new(server, services =>
    {
        services.AddSingleton<IDistributedCache>(l2);
        services.AddHybridCache();
        services.Configure<DPoPClientOptions>("orders", o => o.PrivateKey = KeyPem);
    });

    /// <summary>The L2 key of the instances' token entry.</summary>
    internal static string EntryKey(ClientAccessTokensTests.App app, DPoPClientAccessToken token) =>
        DPoPTokenCacheKey.ClientCredentials(app.Services.GetRequiredService<IOptionsMonitor<DPoPTokenClientOptions>>().Get("orders"), token.Key.JwkThumbprint);

    /// <summary>Tokens are stored in the background: waits until the entry is in L2 (and holds <paramref name="token"/>).</summary>
    internal static async Task WaitUntilStoredAsync(InMemoryL2Cache l2, string key, string? token = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (await l2.GetAsync(key) is not { } entry || (token is not null && !Encoding.UTF8.GetString(entry).Contains(token, StringComparison.Ordinal)))
        {
            Assert.That(DateTime.UtcNow, Is.LessThan(deadline), "the token was stored in the shared cache");
            await Task.Delay(20);
        }
    }

    [Test]
    public async Task RemoveAccessTokenAsync_RemovesTheSharedEntry_SoAnotherInstanceGetsANewToken()
    {
        await using var server = await DemoServerHost.StartAsync();
        var l2 = new InMemoryL2Cache();
        using var first = Instance(server, l2);
        var removed = await first.Tokens.GetAccessTokenAsync("orders");
        await WaitUntilStoredAsync(l2, EntryKey(first, removed));

        await first.Tokens.RemoveAccessTokenAsync("orders");
        var entryAfterRemoval = await l2.GetAsync(EntryKey(first, removed));
        using var second = Instance(server, l2);
        var (status, sent) = await second.CallAsync();

        Assert.Multiple(() =>
        {
            Assert.That(entryAfterRemoval, Is.Null);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sent, Is.Not.EqualTo(removed.AccessToken));
            Assert.That(second.Counts.SharedCacheHits, Is.Zero);
            Assert.That(second.Counts.TokenRequests, Is.EqualTo(1));
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RemoveAccessTokenAsync_TheSameInstance_DoesNotTakeTheRemovedTokenBack()
    {
        await using var server = await DemoServerHost.StartAsync();
        var l2 = new InMemoryL2Cache();
        using var app = Instance(server, l2);
        var removed = await app.Tokens.GetAccessTokenAsync("orders");
        await WaitUntilStoredAsync(l2, EntryKey(app, removed));

        await app.Tokens.RemoveAccessTokenAsync("orders");
        var next = await app.Tokens.GetAccessTokenAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(next.AccessToken, Is.Not.EqualTo(removed.AccessToken));
            Assert.That(app.Counts.TokenRequests, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_NeverTakesTheReplacedTokenBack_AndStoresTheNewOneForTheFleet()
    {
        await using var server = await DemoServerHost.StartAsync();
        var l2 = new InMemoryL2Cache();
        using var first = Instance(server, l2);
        var replaced = await first.Tokens.GetAccessTokenAsync("orders");
        await WaitUntilStoredAsync(l2, EntryKey(first, replaced));
        using var second = Instance(server, l2);
        var shared = await second.Tokens.GetAccessTokenAsync("orders"); // from the shared cache

        var renewed = await second.Tokens.RenewAccessTokenAsync("orders");
        var (status, sent) = await second.CallAsync();
        await WaitUntilStoredAsync(l2, EntryKey(second, renewed), renewed.AccessToken);
        using var third = Instance(server, l2);
        var found = await third.Tokens.GetAccessTokenAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(shared.AccessToken, Is.EqualTo(replaced.AccessToken));
            Assert.That(second.Counts.SharedCacheHits, Is.EqualTo(1));
            Assert.That(renewed.AccessToken, Is.Not.EqualTo(replaced.AccessToken), "not taken back from the shared cache");
            Assert.That(second.Counts.TokenRequests, Is.EqualTo(1), "from the token endpoint");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(sent, Is.EqualTo(renewed.AccessToken));
            Assert.That(found.AccessToken, Is.EqualTo(renewed.AccessToken), "another instance finds the new token");
            Assert.That(third.Counts.TokenRequests, Is.Zero);
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_OnTheInstanceThatStoredTheToken_AsksTheTokenEndpoint()
    {
        await using var server = await DemoServerHost.StartAsync();
        var l2 = new InMemoryL2Cache();
        using var app = Instance(server, l2);
        var replaced = await app.Tokens.GetAccessTokenAsync("orders");
        await WaitUntilStoredAsync(l2, EntryKey(app, replaced));

        var renewed = await app.Tokens.RenewAccessTokenAsync("orders");
        var again = await app.Tokens.RenewAccessTokenAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(renewed.AccessToken, Is.Not.EqualTo(replaced.AccessToken));
            Assert.That(again.AccessToken, Is.Not.EqualTo(renewed.AccessToken));
            Assert.That(app.Counts.TokenRequests, Is.EqualTo(3));
            Assert.That(app.Counts.SharedCacheHits, Is.Zero);
        });
    }

    [Test]
    public async Task SharedTier_CountedOnTheCacheLookupsInstrument_MissThenHit()
    {
        await using var server = await DemoServerHost.StartAsync();
        var l2 = new InMemoryL2Cache();
        using var first = Instance(server, l2);
        using var firstLookups = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            first.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "DPoP.Http", "dpop.token.cache.lookups");
        var token = await first.Tokens.GetAccessTokenAsync("orders");
        await WaitUntilStoredAsync(l2, EntryKey(first, token));
        using var second = Instance(server, l2);
        using var secondLookups = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(
            second.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>(), "DPoP.Http", "dpop.token.cache.lookups");

        await second.CallAsync();

        static string[] Shared(Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long> lookups) =>
            [.. lookups.GetMeasurementSnapshot().Where(m => Equals(m.Tags["dpop.cache.tier"], "shared")).Select(m => (string)m.Tags["dpop.cache.result"]!)];
        Assert.Multiple(() =>
        {
            Assert.That(Shared(firstLookups), Is.EqualTo(new[] { "miss" }), "the first instance found nothing to share");
            Assert.That(Shared(secondLookups), Is.EqualTo(new[] { "hit" }), "the second took the first one's token");
            Assert.That(server.Statistics.ClientCredentialsGrants, Is.EqualTo(1));
        });
    }
}

using System.Net;
using DPoP.Http.Tests.Fleet;
using DPoP.Http.Testing;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// <see cref="IDPoPClientAccessTokens"/> after the client's key provider rotated its key (issue 22, 7c): the cached token
/// comes with the key it is bound to, not the client's current key, so a proof made with it is accepted by the demo
/// API (which checks the token's <c>cnf.jkt</c> against the proof's key); a renewal binds the next token to the new key.
/// </summary>
[Category("Integration")]
public sealed class ClientAccessTokensKeyRotationTests
{
    /// <summary>
    /// Gets the token, rotates the key, gets the token again and calls the API with a proof made with what it returned;
    /// returns both tokens, the key before the rotation, and the API's status and the thumbprint it saw.
    /// </summary>
    private static async Task<(DPoPClientAccessToken Before, DPoPKey BoundKey, DPoPClientAccessToken After, HttpStatusCode Status, string? Jkt)> GetRotateGetAndCallAsync(
        DemoServerHost server, ClientAccessTokensTests.App app, RotatingKeyProvider keys)
    {
        var before = await app.Tokens.GetAccessTokenAsync("orders");
        var boundKey = keys.Current;
        keys.Rotate();
        var after = await app.Tokens.GetAccessTokenAsync("orders");
        var (_, status, jkt) = await ClientAccessTokensTests.App.CallWithOwnProofAsync(server, after);
        return (before, boundKey, after, status, jkt);
    }

    [Test]
    public async Task GetAccessTokenAsync_AfterKeyRotation_ReturnsTheKeyTheCachedTokenIsBoundTo()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var keys = new RotatingKeyProvider();
        using var app = new ClientAccessTokensTests.App(server, services => services.AddKeyedSingleton<IDPoPKeyProvider>("orders", keys));

        var (before, boundKey, after, status, jkt) = await GetRotateGetAndCallAsync(server, app, keys);

        Assert.Multiple(() =>
        {
            Assert.That(after.AccessToken, Is.EqualTo(before.AccessToken), "still cached");
            Assert.That(after.Key, Is.SameAs(boundKey), "the key the token is bound to, not the rotated one");
            Assert.That(FleetInstance.CnfJkt(after.AccessToken), Is.EqualTo(boundKey.JwkThumbprint));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), "a proof made with the returned key is accepted");
            Assert.That(jkt, Is.EqualTo(boundKey.JwkThumbprint));
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_AfterKeyRotation_BindsTheNewTokenToTheNewKey()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var keys = new RotatingKeyProvider();
        using var app = new ClientAccessTokensTests.App(server, services => services.AddKeyedSingleton<IDPoPKeyProvider>("orders", keys));
        await app.Tokens.GetAccessTokenAsync("orders");

        var rotated = keys.Rotate();
        var renewed = await app.Tokens.RenewAccessTokenAsync("orders");
        var (_, status, _) = await ClientAccessTokensTests.App.CallWithOwnProofAsync(server, renewed);

        Assert.Multiple(() =>
        {
            Assert.That(renewed.Key, Is.SameAs(rotated));
            Assert.That(FleetInstance.CnfJkt(renewed.AccessToken), Is.EqualTo(rotated.JwkThumbprint));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_TokenFromTheSharedCacheAfterKeyRotation_ReturnsTheKeyOfItsEntry()
    {
        await using var server = await DemoServerHost.StartAsync();
        var l2 = new InMemoryL2Cache();
        using var firstKey = DPoPKey.Generate();
        void Shared(IServiceCollection services)
        {
            services.AddSingleton<IDistributedCache>(l2);
            services.AddHybridCache();
        }

        // Another instance, with the same key, fetched the token and stored it for the fleet.
        using var other = new ClientAccessTokensTests.App(server, services =>
        {
            Shared(services);
            services.Configure<DPoPClientOptions>("orders", o => o.PrivateKey = firstKey.PrivateKeyPem);
        });
        var stored = await other.Tokens.GetAccessTokenAsync("orders");
        await ClientAccessTokensSharedCacheTests.WaitUntilStoredAsync(l2, ClientAccessTokensSharedCacheTests.EntryKey(other, stored));

        using var keys = new RotatingKeyProvider(DPoPKey.FromPem(firstKey.PrivateKeyPem));
        using var app = new ClientAccessTokensTests.App(server, services =>
        {
            Shared(services);
            services.AddKeyedSingleton<IDPoPKeyProvider>("orders", keys);
        });
        var (taken, boundKey, after, status, _) = await GetRotateGetAndCallAsync(server, app, keys);

        Assert.Multiple(() =>
        {
            Assert.That(taken.AccessToken, Is.EqualTo(stored.AccessToken), "taken from the shared cache");
            Assert.That(app.Counts.SharedCacheHits, Is.EqualTo(1));
            Assert.That(after.AccessToken, Is.EqualTo(stored.AccessToken));
            Assert.That(after.Key, Is.SameAs(boundKey));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
        });
    }
}

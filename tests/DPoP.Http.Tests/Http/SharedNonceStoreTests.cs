using System.Net;
using DPoP.Http.Tests.Support;
using DPoP.Http.Tests.Tokens;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Http;

/// <summary><c>AddDPoPSharedNonceStore()</c>: instances of an app share the nonces they learn through HybridCache's L2.</summary>
public sealed class SharedNonceStoreTests
{
    private const string ServerNonce = "n-shared-1";

    [TestCase(false)]
    [TestCase(true)]
    public async Task SendAsync_SecondInstanceOverTheSameL2_SendsTheNonceTheFirstLearnedWithNoChallenge(bool sync)
    {
        var l2 = new InMemoryL2Cache();
        using var first = Instance(l2);
        using var firstResponse = await SendAsync(first, sync);
        await ClientAccessTokensSharedCacheTests.WaitUntilStoredAsync(l2, "dpop:nonce:https://api.example.com:443");

        using var second = Instance(l2);
        using var secondResponse = await SendAsync(second, sync);

        Assert.Multiple(() =>
        {
            Assert.That(firstResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(first.Requests, Has.Length.EqualTo(2), "the first instance was challenged once and retried");
            Assert.That(secondResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.Requests, Has.Length.EqualTo(1), "the second instance was not challenged");
            Assert.That(second.Requests[0].Verified.Claim("nonce"), Is.EqualTo(ServerNonce));
        });
    }

    [Test]
    public async Task SendAsync_SharedNonceOfAnotherOrigin_IsNotSent()
    {
        var l2 = new InMemoryL2Cache();
        using (var first = Instance(l2))
        {
            using var response = await first.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "data"));
        }

        await ClientAccessTokensSharedCacheTests.WaitUntilStoredAsync(l2, "dpop:nonce:https://api.example.com:443");
        using var second = Instance(l2);

        using var other = await second.CreateClient().SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://api.example.com:8443/data"));

        Assert.That(second.Requests[0].Verified.HasClaim("nonce"), Is.False, "port 8443 is another origin");
    }

    [Test]
    public async Task SendAsync_L2NeverAnswers_RequestsGoOnFromMemoryWithOneWarning()
    {
        using var host = Instance(new HangingL2Cache());
        var client = host.CreateClient();

        using var first = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "data"));
        using var second = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "data"));
        using var otherOrigin = await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "https://other.example.com/data"));

        var warnings = host.LogCollector.Collector.GetSnapshot().Where(r => r.Id.Id == 13).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK), "challenged and retried after the bounded lookup");
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(host.Requests[2].Verified.Claim("nonce"), Is.EqualTo(ServerNonce), "the nonce was kept in memory");
            Assert.That(otherOrigin.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(warnings, Has.Count.EqualTo(1), "one warning; the paused cache is not asked for the other origin");
            Assert.That(warnings[0].Level, Is.EqualTo(Microsoft.Extensions.Logging.LogLevel.Warning));
        });
    }

    /// <summary>A resource server that challenges every proof without its nonce (RFC 9449 §9).</summary>
    private static DPoPTestHost Instance(IDistributedCache l2) => new(
        (seen, _) => seen.Verified.HasClaim("nonce") && seen.Verified.Claim("nonce") == ServerNonce
            ? MockServer.Ok()
            : MockServer.ResourceNonceChallenge(ServerNonce),
        services: (s, _) =>
        {
            s.AddSingleton<IDistributedCache>(l2);
            s.AddHybridCache();
            s.AddDPoPSharedNonceStore();
        });

    private static async Task<HttpResponseMessage> SendAsync(DPoPTestHost host, bool sync)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "data");
        return sync ? host.CreateClient().Send(request) : await host.CreateClient().SendAsync(request);
    }

    /// <summary>An L2 whose every call hangs until cancelled, as a Redis client at its default timeouts can.</summary>
    private sealed class HangingL2Cache : IDistributedCache
    {
        public byte[]? Get(string key) => throw new NotSupportedException();

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Hang<byte[]?>(token);

        public void Refresh(string key) => throw new NotSupportedException();

        public Task RefreshAsync(string key, CancellationToken token = default) => Hang<bool>(token);

        public void Remove(string key) => throw new NotSupportedException();

        public Task RemoveAsync(string key, CancellationToken token = default) => Hang<bool>(token);

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options) => throw new NotSupportedException();

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Hang<bool>(token);

        private static Task<T> Hang<T>(CancellationToken token) => new TaskCompletionSource<T>().Task.WaitAsync(token);
    }
}

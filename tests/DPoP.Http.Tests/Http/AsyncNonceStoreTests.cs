using System.Collections.Concurrent;
using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Http;

/// <summary>A custom <see cref="IDPoPNonceStore"/> that never completes synchronously, through both HttpClient APIs.</summary>
public sealed class AsyncNonceStoreTests
{
    [TestCase(false)]
    [TestCase(true)]
    public async Task SendAsync_StoreCompletesAsynchronously_ChallengeStoresTheNonceAndTheNextRequestCarriesIt(bool sync)
    {
        using var host = new DPoPTestHost(
            (_, n) => n == 1 ? MockServer.ResourceNonceChallenge("n-1") : MockServer.Ok(),
            services: (s, _) => s.AddDPoPNonceStore<YieldingNonceStore>());
        var client = host.CreateClient();

        using var first = sync ? client.Send(new HttpRequestMessage(HttpMethod.Get, "data")) : await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "data"));
        using var second = sync ? client.Send(new HttpRequestMessage(HttpMethod.Get, "data")) : await client.SendAsync(new HttpRequestMessage(HttpMethod.Get, "data"));

        var store = (YieldingNonceStore)host.Services.GetRequiredService<IDPoPNonceStore>();
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(host.Requests, Has.Length.EqualTo(3), "one challenge, its retry, and a second request with no challenge");
            Assert.That(host.Requests[0].Verified.HasClaim("nonce"), Is.False);
            Assert.That(host.Requests[1].Verified.Claim("nonce"), Is.EqualTo("n-1"));
            Assert.That(host.Requests[2].Verified.Claim("nonce"), Is.EqualTo("n-1"), "read back through the asynchronous store");
            Assert.That(store.Writes, Is.EqualTo(1), "the challenge's nonce was written once");
            Assert.That(store.Reads, Is.EqualTo(2));
        });
    }

    /// <summary>Answers only after yielding, so every call goes through the handler's awaited path.</summary>
    public sealed class YieldingNonceStore : IDPoPNonceStore
    {
        private readonly ConcurrentDictionary<string, string> _nonces = new();
        private int _reads;
        private int _writes;

        public int Reads => Volatile.Read(ref _reads);

        public int Writes => Volatile.Read(ref _writes);

        public async ValueTask<string?> GetNonceAsync(Uri requestUri, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Interlocked.Increment(ref _reads);
            return _nonces.TryGetValue(requestUri.GetLeftPart(UriPartial.Authority), out var nonce) ? nonce : null;
        }

        public async ValueTask SetNonceAsync(Uri requestUri, string nonce, CancellationToken cancellationToken)
        {
            await Task.Yield();
            Interlocked.Increment(ref _writes);
            _nonces[requestUri.GetLeftPart(UriPartial.Authority)] = nonce;
        }
    }
}

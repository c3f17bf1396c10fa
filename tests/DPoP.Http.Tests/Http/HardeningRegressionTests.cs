using System.Collections.Concurrent;
using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.Tests.Http;

/// <summary>
/// Regressions of the adversarial review (issue 11): responses released on every exit path, a repeated nonce kept
/// alive, the primary handler's redirects off before any request can reach it.
/// </summary>
internal sealed class HardeningRegressionTests
{
    private static readonly Uri Api = new("https://api.example.com/orders");

    public enum RenewalFailure
    {
        RejectionHookThrows,
        RenewedTokenRequestThrows,
        RenewalCancelled,
    }

    [TestCase(RenewalFailure.RejectionHookThrows)]
    [TestCase(RenewalFailure.RenewedTokenRequestThrows)]
    [TestCase(RenewalFailure.RenewalCancelled)]
    public void SendAsync_InvalidTokenAndRenewalFails_TheExceptionReachesTheCaller_AndThe401IsDisposed(RenewalFailure failure)
    {
        var tracker = new ResponseTracker();
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => InvalidToken());
        using var key = DPoPKey.Generate();
        using var cancellation = new CancellationTokenSource();
        var provider = new FailingRenewalProvider(failure, cancellation);
        var tracking = tracker.CreateHandler();
        tracking.InnerHandler = mock;
        using var client = new HttpClient(new DPoPDelegatingHandler(key, accessTokenProvider: provider) { InnerHandler = tracking });

        var thrown = Assert.CatchAsync(() => client.GetAsync(Api, cancellation.Token));

        Assert.Multiple(() =>
        {
            Assert.That(thrown, failure == RenewalFailure.RenewalCancelled ? Is.InstanceOf<OperationCanceledException>() : Is.TypeOf<HttpRequestException>());
            Assert.That(tracker.Responses, Has.Count.EqualTo(1));
            Assert.That(tracker.Undisposed(), Is.Empty);
        });
    }

    [Test]
    public async Task SendAsync_ServerRepeatsTheSameNonce_ItOutlivesNonceLifetime_WithoutAChallenge()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var seen = new ConcurrentQueue<SeenRequest>();

        // A resource server that issues one nonce, demands it, and repeats it on every response.
        using var mock = MockServer.Create(seen, (request, _) => request.Verified.HasClaim("nonce")
            ? MockServer.Ok("steady")
            : MockServer.ResourceNonceChallenge("steady"));
        using var key = DPoPKey.Generate();
        var nonces = new DPoPNonceStore(lifetime: TimeSpan.FromSeconds(60), timeProvider: time);
        using var client = new HttpClient(new DPoPDelegatingHandler(key, nonceStore: nonces, timeProvider: time) { InnerHandler = mock });

        (await client.GetAsync(Api)).Dispose(); // challenge + retry: the nonce is stored
        for (var i = 0; i < 6; i++)
        {
            time.Advance(TimeSpan.FromSeconds(20)); // 120 s in all, twice the lifetime, the nonce resent every 20 s
            (await client.GetAsync(Api)).Dispose();
        }

        Assert.That(seen, Has.Count.EqualTo(2 + 6), "no challenge after the first: the repeated nonce stayed current");
    }

    [Test]
    public async Task SendAsync_ServerStopsSendingTheNonce_ItExpiresAfterNonceLifetime()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, n) => n == 1 ? MockServer.Ok("once") : MockServer.Ok());
        using var key = DPoPKey.Generate();
        var nonces = new DPoPNonceStore(lifetime: TimeSpan.FromSeconds(60), timeProvider: time);
        using var client = new HttpClient(new DPoPDelegatingHandler(key, nonceStore: nonces, timeProvider: time) { InnerHandler = mock });

        (await client.GetAsync(Api)).Dispose();
        time.Advance(TimeSpan.FromSeconds(30));
        (await client.GetAsync(Api)).Dispose();
        time.Advance(TimeSpan.FromSeconds(31));
        (await client.GetAsync(Api)).Dispose();

        var requests = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("once"));
            Assert.That(requests[2].Verified.HasClaim("nonce"), Is.False);
        });
    }

    [Test]
    public void AddDPoP_PrimarySocketsHttpHandler_RedirectsAreOffOnceTheClientIsBuilt_BeforeAnyRequest()
    {
        var primary = new SocketsHttpHandler { AllowAutoRedirect = true };
        var services = new ServiceCollection();
        services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => primary).AddDPoP();
        using var provider = services.BuildServiceProvider();

        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        Assert.That(primary.AllowAutoRedirect, Is.False);
    }

    [Test]
    public async Task SendAsync_HandlerBuiltByHand_ConcurrentFirstRequests_NoneReachesAPrimaryThatStillRedirects()
    {
        // Many handlers, each hit by simultaneous first requests: every request must find redirects already off.
        var sawRedirectsOn = 0;
        for (var round = 0; round < 50; round++)
        {
            using var key = DPoPKey.Generate();
            using var primary = new ObservingPrimary(() => Interlocked.Increment(ref sawRedirectsOn));
            using var client = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = primary });
            using var start = new Barrier(4);
            await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
            {
                start.SignalAndWait();
                (await client.GetAsync(Api)).Dispose();
            })));
        }

        Assert.That(sawRedirectsOn, Is.Zero);
    }

    private static HttpResponseMessage InvalidToken()
    {
        var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { Content = new StringContent("rejected") };
        response.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"invalid_token\"");
        return response;
    }

    /// <summary>Hands out one token, then fails when asked to renew it.</summary>
    private sealed class FailingRenewalProvider(RenewalFailure failure, CancellationTokenSource cancellation) : IDPoPAccessTokenProvider
    {
        private int _calls;

        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (Interlocked.Increment(ref _calls) == 1)
            {
                return ValueTask.FromResult<string?>("token-1");
            }

            throw new HttpRequestException("token endpoint unreachable");
        }

        public ValueTask<bool> OnAccessTokenRejectedAsync(string rejectedAccessToken, CancellationToken cancellationToken)
        {
            switch (failure)
            {
                case RenewalFailure.RejectionHookThrows:
                    throw new HttpRequestException("token endpoint unreachable");
                case RenewalFailure.RenewalCancelled:
                    cancellation.Cancel();
                    cancellationToken.ThrowIfCancellationRequested();
                    break;
            }

            return ValueTask.FromResult(true);
        }
    }

    /// <summary>An HttpClientHandler that answers without I/O and notes whether it still had automatic redirects on.</summary>
    private sealed class ObservingPrimary(Action onRedirectsOn) : HttpClientHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (AllowAutoRedirect)
            {
                onRedirectsOn();
            }

            return Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { RequestMessage = request });
        }
    }
}

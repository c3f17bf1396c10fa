using System.Collections.Concurrent;
using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Many requests at once: racing on one origin whose server rotates its nonces under them, and spread over far more
/// origins than the nonce store holds, which must stay bounded and never hand one origin's nonce to another.
/// </summary>
[Category("Slow")]
public sealed class ConcurrencyTests
{
    [Test]
    [Category("Integration")]
    public async Task ManyRequestsRacingOnOneOrigin_WhileTheServerRotatesNonces_NoFailureNoReplay()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = DemoClients.Build(server);
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);
        var api = factory.CreateClient("api");
        using var rotation = new Timer(_ => server.RotateNonces(), null, StressTests.RotationPeriod, StressTests.RotationPeriod);

        var outcome = new StressTests.StressOutcome();
        await StressTests.RunAsync(api, token, 400, 32, outcome, CancellationToken.None);

        var stats = server.Statistics;
        Assert.Multiple(() =>
        {
            Assert.That(outcome.LatenciesMs, Has.Count.EqualTo(400));
            Assert.That(outcome.Failures, Is.Empty, stats.ToString());
            Assert.That(outcome.NonceOutrun, Has.Count.LessThanOrEqualTo(20), "only retries slower than a rotation period may meet a second challenge");
            Assert.That(stats.ReplaysDetected, Is.Zero);
            Assert.That(stats.Rejections, Is.Zero, stats.ToString());
        });
    }

    [Test]
    public void NonceStore_ManyOriginsFromManyThreads_StaysWithinCapacity_KeepsTheRecentOnes()
    {
        const int capacity = 100;
        var store = new DPoPNonceStore(capacity);
        Parallel.For(0, 8, new ParallelOptions { MaxDegreeOfParallelism = 8 }, thread =>
        {
            for (var i = 0; i < 5_000; i++)
            {
                var uri = new Uri($"https://t{thread}-o{i}.example/path");
                store.SetNonce(uri, $"n-{thread}-{i}");
                Assert.That(store.GetNonce(uri), Is.Null.Or.EqualTo($"n-{thread}-{i}"));
            }
        });

        Assert.Multiple(() =>
        {
            Assert.That(store.Count, Is.LessThanOrEqualTo(capacity));
            Assert.That(store.Count, Is.GreaterThan(capacity / 2), "eviction is not a purge");
            for (var thread = 0; thread < 8; thread++)
            {
                Assert.That(store.GetNonce(new Uri($"https://t{thread}-o0.example/")), Is.Null, "the oldest origins were evicted");
            }
        });
    }

    [Test]
    public void NonceStore_HotOriginSurvivesAStreamOfNewOrigins()
    {
        var store = new DPoPNonceStore(capacity: 50);
        var hot = new Uri("https://hot.example/");
        store.SetNonce(hot, "hot-nonce");
        for (var i = 0; i < 10_000; i++)
        {
            store.SetNonce(new Uri($"https://cold{i}.example/"), "cold");
            if (i % 10 == 0)
            {
                Assert.That(store.GetNonce(hot), Is.EqualTo("hot-nonce"), $"after {i} new origins");
            }
        }

        Assert.That(store.Count, Is.LessThanOrEqualTo(50));
    }

    [Test]
    public async Task Handler_ThousandsOfOriginsConcurrently_StoreBounded_NoNonceCrossesOrigins()
    {
        using var host = new DPoPTestHost((seen, _) => MockServer.Ok("n-" + seen.Uri.Host), o => o.NonceStoreCapacity = 64);
        var client = host.CreateClient();
        var origins = Enumerable.Range(0, 2_000).Select(i => new Uri($"https://o{i % 500}.example:{8000 + (i % 3)}/r/{i}")).ToArray();
        await Parallel.ForEachAsync(origins, new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (uri, ct) =>
        {
            using var response = await client.GetAsync(uri, ct);
            response.EnsureSuccessStatusCode();
        });

        var options = host.Services.GetRequiredService<IOptionsMonitor<DPoPClientOptions>>().Get(DPoPTestHost.ClientName);
        var store = host.Services.GetRequiredService<DPoPClientStates>().Get(DPoPTestHost.ClientName, options).NonceStore;
        Assert.Multiple(() =>
        {
            Assert.That(store.Count, Is.LessThanOrEqualTo(64));
            foreach (var seen in host.Requests)
            {
                var proof = seen.Verified;
                if (proof.HasClaim("nonce"))
                {
                    Assert.That(proof.Claim("nonce"), Is.EqualTo("n-" + seen.Uri.Host), seen.Uri.ToString());
                }
            }
        });
    }

    [Test]
    public async Task Handler_ManyConcurrentChallengesOnOneOrigin_EachRequestRetriesAtMostOnce()
    {
        var nonce = 0;
        using var host = new DPoPTestHost((seen, _) =>
        {
            // Every proof without the latest nonce is challenged with a new one: a server rotating on every challenge.
            var current = Volatile.Read(ref nonce);
            var proof = seen.Verified;
            if (!proof.HasClaim("nonce") || proof.Claim("nonce") != "n" + current)
            {
                return MockServer.ResourceNonceChallenge("n" + Interlocked.Increment(ref nonce));
            }

            return MockServer.Ok();
        });
        var client = host.CreateClient();
        var results = new ConcurrentBag<HttpStatusCode>();
        await Parallel.ForEachAsync(Enumerable.Range(0, 300), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, ct) =>
        {
            using var response = await client.GetAsync(new Uri($"r/{i}", UriKind.Relative), ct);
            results.Add(response.StatusCode);
        });

        Assert.Multiple(() =>
        {
            Assert.That(host.Requests, Has.Length.LessThanOrEqualTo(600), "at most one retry per request");
            Assert.That(results, Has.Count.EqualTo(300));
            Assert.That(results.Distinct(), Is.SubsetOf(new[] { HttpStatusCode.OK, HttpStatusCode.Unauthorized }));
            Assert.That(host.Requests.Select(r => r.Verified.Claim("jti")), Is.Unique);
        });
    }
}

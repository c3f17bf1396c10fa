using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Net;
using DPoP.Http.Testing;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// A CI-sized stress run (2 cores, well under 30 s): 2,000 requests, 64 at a time, through <c>AddDPoP()</c> to the
/// demo resource server on 127.0.0.1, which validates every proof with Microsoft.IdentityModel and rejects replays,
/// while its nonces rotate every 100 ms. The full 10,000-request run is StressBenchmarks in the benchmarks project.
/// </summary>
[Category("Integration")]
[Category("Slow")]
public sealed class StressTests
{
    private const int Requests = 2_000;
    private const int Concurrency = 64;

    /// <summary>How often the server replaces its nonce; it accepts the current and the previous one.</summary>
    internal static readonly TimeSpan RotationPeriod = TimeSpan.FromMilliseconds(100);

    [Test]
    [CancelAfter(120_000)]
    public async Task Stress_2000RequestsAt64_NoncesRotatingEvery100ms_NoFailureNoReplay_RetriesWithinChallenges_MemoryFlat(CancellationToken cancellationToken)
    {
        await using var server = await DemoServerHost.StartAsync(cancellationToken: cancellationToken);
        using var services = DemoClients.Build(server, s => s.AddHttpClient("api").SetHandlerLifetime(Timeout.InfiniteTimeSpan));
        var meterFactory = services.GetRequiredService<IMeterFactory>();
        using var retries = new MetricCollector<long>(meterFactory, DPoPTelemetryNames.Meter, "dpop.retries");
        using var challenges = new MetricCollector<long>(meterFactory, DPoPTelemetryNames.Meter, "dpop.nonce.challenges");
        using var proofs = new MetricCollector<long>(meterFactory, DPoPTelemetryNames.Meter, "dpop.proofs.created");
        var factory = services.GetRequiredService<IHttpClientFactory>();
        var token = await DemoClients.GetTokenAsync(factory.CreateClient("token"), server);
        var api = factory.CreateClient("api");

        // Warm up connections, JIT and pools, so that what follows measures the steady state.
        await RunAsync(api, token, 200, Concurrency, new StressOutcome(), cancellationToken);
        var before = SettledMemory();
        var challengesBefore = challenges.GetMeasurementSnapshot().EvaluateAsCounter();
        var retriesBefore = retries.GetMeasurementSnapshot().EvaluateAsCounter();
        var proofsBefore = proofs.GetMeasurementSnapshot().EvaluateAsCounter();
        var rejectionsBefore = server.Statistics.Rejections;

        var peak = before;
        var rotations = 0;
        using var sampler = new Timer(_ => AtomicMaximum.Raise(ref peak, GC.GetTotalMemory(forceFullCollection: false)), null, 0, 20);
        using var rotation = new Timer(_ =>
        {
            server.RotateNonces();
            Interlocked.Increment(ref rotations);
        }, null, RotationPeriod, RotationPeriod);
        var outcome = new StressOutcome();
        var clock = Stopwatch.StartNew();
        await RunAsync(api, token, Requests, Concurrency, outcome, cancellationToken);
        clock.Stop();
        await rotation.DisposeAsync();
        await sampler.DisposeAsync();
        var after = SettledMemory();

        var stats = server.Statistics;
        var challenged = challenges.GetMeasurementSnapshot().EvaluateAsCounter() - challengesBefore;
        var retried = retries.GetMeasurementSnapshot().EvaluateAsCounter() - retriesBefore;
        TestContext.Out.WriteLine(
            $"stress: {Requests} requests at {Concurrency} in {clock.Elapsed.TotalSeconds:F1} s ({Requests / clock.Elapsed.TotalSeconds:F0}/s), {Volatile.Read(ref rotations)} rotations; " +
            $"failures {outcome.Failures.Count}, nonce outrun {outcome.NonceOutrun.Count}, challenges {challenged}, retries {retried}, " +
            $"proofs {proofs.GetMeasurementSnapshot().EvaluateAsCounter() - proofsBefore}, server replays {stats.ReplaysDetected}, rejections {stats.Rejections - rejectionsBefore}; " +
            $"latency {outcome.Percentiles()}; memory before {before / 1024} KB, after {after / 1024} KB, peak {Volatile.Read(ref peak) / 1024} KB");

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Failures, Is.Empty, string.Join("; ", outcome.Failures.Take(10)));
            // Tail latency on 2 shared cores (p99 140-300 ms seen) can outrun a 100-200 ms nonce window; a few in a hundred at most.
            Assert.That(outcome.NonceOutrun, Has.Count.LessThanOrEqualTo(Requests / 20), string.Join("; ", outcome.NonceOutrun.Take(10)));
            Assert.That(stats.ReplaysDetected, Is.Zero);
            Assert.That(stats.Rejections - rejectionsBefore, Is.Zero, stats.ToString());
            Assert.That(retried, Is.LessThanOrEqualTo(challenged), "a retry only ever answers a challenge");
            Assert.That(Volatile.Read(ref rotations), Is.GreaterThanOrEqualTo(3), "nonces rotated during the run");
            Assert.That(after - before, Is.LessThan(32L << 20), "memory is flat after the run (the demo server's event log included)");
        });
    }

    /// <summary>
    /// What a run saw. A request whose retry is answered by a second <c>use_dpop_nonce</c> is not a failure when it
    /// took longer than a rotation period: the server accepts its current and previous nonce, so a nonce it just
    /// handed out is good for at least one period, and the second challenge is the designed answer to a retry that
    /// was outrun by two rotations (RFC 9449 leaves the retry count to the client; this one retries once). Anything
    /// else that is not 200 is a failure.
    /// </summary>
    internal sealed class StressOutcome
    {
        public ConcurrentQueue<string> Failures { get; } = new();

        public ConcurrentQueue<string> NonceOutrun { get; } = new();

        public ConcurrentQueue<double> LatenciesMs { get; } = new();

        public string Percentiles()
        {
            var sorted = LatenciesMs.Order().ToArray();
            return sorted.Length == 0 ? "n/a" : $"p50 {sorted[sorted.Length / 2]:F0} ms, p99 {sorted[sorted.Length * 99 / 100]:F0} ms, max {sorted[^1]:F0} ms";
        }
    }

    internal static async Task RunAsync(HttpClient api, string token, int count, int concurrency, StressOutcome outcome, CancellationToken cancellationToken)
    {
        await Parallel.ForEachAsync(Enumerable.Range(0, count), new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(i % 4 == 0 ? HttpMethod.Post : HttpMethod.Get, $"orders/{i}?page={i % 7}")
                {
                    Content = i % 4 == 0 ? new StringContent($"{{\"order\":{i}}}") : null,
                };
                request.SetDPoPAccessToken(token);
                using var response = await api.SendAsync(request, ct);
                await response.Content.ReadAsByteArrayAsync(ct);
                var elapsed = Stopwatch.GetElapsedTime(started);
                outcome.LatenciesMs.Enqueue(elapsed.TotalMilliseconds);
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                var description = $"#{i}: {(int)response.StatusCode} after {elapsed.TotalMilliseconds:F0} ms: {response.Headers.WwwAuthenticate}";
                var outrun = response.StatusCode == HttpStatusCode.Unauthorized && elapsed > RotationPeriod &&
                    WwwAuthenticateParser.HasDPoPNonceChallenge(response.Headers.WwwAuthenticate.Select(h => h.ToString()));
                (outrun ? outcome.NonceOutrun : outcome.Failures).Enqueue(description);
            }
            catch (HttpRequestException ex)
            {
                outcome.Failures.Enqueue($"#{i}: {ex.Message}");
            }
        });
    }

    private static long SettledMemory()
    {
        for (var i = 0; i < 3; i++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
        }

        return GC.GetTotalMemory(forceFullCollection: true);
    }
}

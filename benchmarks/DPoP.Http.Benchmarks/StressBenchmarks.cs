using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Engines;
using DPoP.Http.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// The full stress run: 10,000 requests, 64 at a time, through <c>AddDPoP()</c> to a Kestrel resource server on
/// 127.0.0.1 (an ephemeral port, no other interface) that checks every proof with Microsoft.IdentityModel (signature
/// by the header <c>jwk</c>, <c>typ</c>, <c>htm</c>, <c>htu</c>, <c>iat</c>, <c>ath</c>, nonce), rejects any
/// <c>jti</c> seen before, and rotates its nonce every 100 ms (the current and the previous one are accepted).
/// One invocation is the whole run; it prints <c>// stress:</c> with failures, replays, challenges, retries,
/// latency and peak memory, and throws — failing the command — on any rejection, replay or error other than a
/// retry outrun by two rotations (the second <c>use_dpop_nonce</c> a one-retry client returns by design).
/// </summary>
[MemoryDiagnoser]
[SimpleJob(RunStrategy.Monitoring, launchCount: 1, warmupCount: 0, iterationCount: 1, invocationCount: 1)]
public class StressBenchmarks
{
    private const int Requests = 10_000;
    private const int Concurrency = 64;
    private const string AccessToken = "stress-benchmark-access-token";

    private static readonly TimeSpan RotationPeriod = TimeSpan.FromMilliseconds(100);

    private StressResourceServer _server = null!;
    private ServiceProvider _services = null!;
    private HttpClient _client = null!;

    [GlobalSetup]
    public void Setup()
    {
        _server = StressResourceServer.Start();
        var services = new ServiceCollection();
        services.AddHttpClient("api", c => c.BaseAddress = _server.BaseAddress)
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { UseProxy = false })
            .AddDPoP();
        _services = services.BuildServiceProvider();
        _client = _services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _services.Dispose();
        _server.Dispose();
    }

    [Benchmark(Description = "10,000 requests at 64, nonce rotating every 100 ms")]
    public async Task Stress_10000At64()
    {
        using var counters = new DPoPCounters();
        var serverBefore = _server.Snapshot();
        var failures = new ConcurrentQueue<string>();
        var outrun = 0;
        var latencies = new double[Requests];
        var peakManaged = GC.GetTotalMemory(forceFullCollection: false);
        using var sampler = new Timer(_ => AtomicMaximum.Raise(ref peakManaged, GC.GetTotalMemory(forceFullCollection: false)), null, 0, 20);
        using var rotation = new Timer(_ => _server.RotateNonce(), null, RotationPeriod, RotationPeriod);
        var clock = Stopwatch.StartNew();

        await Parallel.ForEachAsync(Enumerable.Range(0, Requests), new ParallelOptions { MaxDegreeOfParallelism = Concurrency }, async (i, ct) =>
        {
            var started = Stopwatch.GetTimestamp();
            try
            {
                using var request = new HttpRequestMessage(i % 4 == 0 ? HttpMethod.Post : HttpMethod.Get, $"v1/orders/{i}?page={i % 7}")
                {
                    Content = i % 4 == 0 ? new StringContent("{\"order\":" + i.ToString(CultureInfo.InvariantCulture) + "}") : null,
                };
                request.SetDPoPAccessToken(AccessToken);
                using var response = await _client.SendAsync(request, ct).ConfigureAwait(false);
                await response.Content.ReadAsByteArrayAsync(ct).ConfigureAwait(false);
                var elapsed = Stopwatch.GetElapsedTime(started);
                latencies[i] = elapsed.TotalMilliseconds;
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }

                // A nonce is good for at least one rotation period after the server hands it out: a second
                // use_dpop_nonce after a longer round trip is the one-retry client's designed answer, not an error.
                var challenge = string.Join(", ", response.Headers.WwwAuthenticate);
                if (response.StatusCode == HttpStatusCode.Unauthorized && elapsed > RotationPeriod && challenge.Contains("use_dpop_nonce", StringComparison.Ordinal))
                {
                    Interlocked.Increment(ref outrun);
                    return;
                }

                failures.Enqueue($"#{i}: {(int)response.StatusCode} after {elapsed.TotalMilliseconds:F0} ms {challenge}");
            }
            catch (HttpRequestException ex)
            {
                failures.Enqueue($"#{i}: {ex.Message}");
            }
        }).ConfigureAwait(false);

        clock.Stop();
        await rotation.DisposeAsync().ConfigureAwait(false);
        await sampler.DisposeAsync().ConfigureAwait(false);
        var server = _server.Snapshot() - serverBefore;
        Array.Sort(latencies);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// stress: {Requests} requests at {Concurrency} in {clock.Elapsed.TotalSeconds:F1} s ({Requests / clock.Elapsed.TotalSeconds:F0}/s), " +
            $"{server.Rotations} nonce rotations; failures {failures.Count}, retries outrun by two rotations {outrun}; " +
            $"client: proofs {counters.Proofs}, challenges {counters.Challenges}, retries {counters.Retries}; " +
            $"server: requests {server.Requests}, accepted {server.Accepted}, nonce challenges {server.Challenges}, replays {server.Replays}, rejections {server.Rejections}; " +
            $"latency p50 {latencies[Requests / 2]:F0} ms, p99 {latencies[Requests * 99 / 100]:F0} ms, max {latencies[^1]:F0} ms; " +
            $"peak managed memory {peakManaged / (1024 * 1024)} MB, peak working set {PeakWorkingSetMegabytes()} MB"));

        if (!failures.IsEmpty || server.Replays != 0 || server.Rejections != 0 || counters.Retries > counters.Challenges)
        {
            throw new InvalidOperationException(
                $"Stress run failed: {failures.Count} failures ({string.Join("; ", failures.Take(5))}), {server.Replays} replays, {server.Rejections} rejections, " +
                $"{counters.Retries} retries for {counters.Challenges} challenges.");
        }
    }

    private static long PeakWorkingSetMegabytes()
    {
        using var process = Process.GetCurrentProcess();
        return process.PeakWorkingSet64 / (1024 * 1024);
    }

    /// <summary>Counts the handler's own measurements (meter <c>DPoP.Http</c>) while it lives.</summary>
    private sealed class DPoPCounters : IDisposable
    {
        private readonly MeterListener _listener = new();
        private long _proofs;
        private long _challenges;
        private long _retries;

        public DPoPCounters()
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "DPoP.Http" && instrument.Name is "dpop.proofs.created" or "dpop.nonce.challenges" or "dpop.retries")
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) =>
            {
                switch (instrument.Name)
                {
                    case "dpop.proofs.created":
                        Interlocked.Add(ref _proofs, value);
                        break;
                    case "dpop.nonce.challenges":
                        Interlocked.Add(ref _challenges, value);
                        break;
                    default:
                        Interlocked.Add(ref _retries, value);
                        break;
                }
            });
            _listener.Start();
        }

        public long Proofs => Interlocked.Read(ref _proofs);

        public long Challenges => Interlocked.Read(ref _challenges);

        public long Retries => Interlocked.Read(ref _retries);

        public void Dispose() => _listener.Dispose();
    }

    private readonly record struct ServerCounts(long Requests, long Accepted, long Challenges, long Replays, long Rejections, long Rotations)
    {
        public static ServerCounts operator -(ServerCounts a, ServerCounts b) => new(
            a.Requests - b.Requests, a.Accepted - b.Accepted, a.Challenges - b.Challenges, a.Replays - b.Replays, a.Rejections - b.Rejections, a.Rotations - b.Rotations);
    }

    /// <summary>
    /// A DPoP resource server (RFC 9449 §4.3, §7, §9) that shares no code with DPoP.Http: Microsoft.IdentityModel
    /// checks the signature with the proof's own <c>jwk</c> (<see cref="IndependentProofCheck"/>); the claims are checked here.
    /// </summary>
    private sealed class StressResourceServer : IDisposable
    {
        private static readonly string ExpectedAth = Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(AccessToken)));

        private readonly WebApplication _app;
        private readonly ConcurrentDictionary<string, byte> _seenJti = new(StringComparer.Ordinal);
        private readonly Lock _nonceLock = new();
        private string _nonce = NewNonce();
        private string _previousNonce = NewNonce();
        private long _requests;
        private long _accepted;
        private long _challenges;
        private long _replays;
        private long _rejections;
        private long _rotations;

        private StressResourceServer(WebApplication app, Uri baseAddress)
        {
            _app = app;
            BaseAddress = baseAddress;
        }

        public Uri BaseAddress { get; }

        public static StressResourceServer Start()
        {
            var builder = WebApplication.CreateSlimBuilder();
            builder.Logging.ClearProviders();
            LoopbackKestrel.Listen(builder);
            var app = builder.Build();
            StressResourceServer? server = null;
            app.Run(context => server!.HandleAsync(context));
            app.StartAsync().GetAwaiter().GetResult();
            server = new StressResourceServer(app, LoopbackKestrel.BaseAddressesOf(app)[0]);
            return server;
        }

        public void RotateNonce()
        {
            lock (_nonceLock)
            {
                _previousNonce = _nonce;
                _nonce = NewNonce();
            }

            Interlocked.Increment(ref _rotations);
        }

        public ServerCounts Snapshot() => new(
            Interlocked.Read(ref _requests), Interlocked.Read(ref _accepted), Interlocked.Read(ref _challenges),
            Interlocked.Read(ref _replays), Interlocked.Read(ref _rejections), Interlocked.Read(ref _rotations));

        public void Dispose()
        {
            _app.StopAsync().GetAwaiter().GetResult();
            _app.DisposeAsync().AsTask().GetAwaiter().GetResult();
        }

        private static string NewNonce() => Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(16));

        private async Task HandleAsync(HttpContext context)
        {
            Interlocked.Increment(ref _requests);
            string current;
            string previous;
            lock (_nonceLock)
            {
                current = _nonce;
                previous = _previousNonce;
            }

            context.Response.Headers["DPoP-Nonce"] = current;
            var failure = await CheckAsync(context.Request, current, previous).ConfigureAwait(false);
            if (failure is null)
            {
                Interlocked.Increment(ref _accepted);
                await context.Response.WriteAsync("ok").ConfigureAwait(false);
                return;
            }

            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            if (failure == "use_dpop_nonce")
            {
                Interlocked.Increment(ref _challenges);
                context.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"";
                return;
            }

            Interlocked.Increment(ref _rejections);
            context.Response.Headers.WWWAuthenticate = $"DPoP error=\"invalid_dpop_proof\", error_description=\"{failure}\"";
        }

        /// <summary>Null when the proof passes; <c>use_dpop_nonce</c> when only the nonce is missing or stale; else the rule broken.</summary>
        private async Task<string?> CheckAsync(HttpRequest request, string current, string previous)
        {
            var headers = request.Headers["DPoP"];
            if (headers.Count != 1 || headers[0] is not { } proof)
            {
                return "exactly one DPoP header";
            }

            // Form and signature (with the proof's own jwk) by the same independent check the tests use.
            if ((await IndependentProofCheck.CheckAsync(proof).ConfigureAwait(false)).Failure is { } failure)
            {
                return failure;
            }

            using var payload = JsonDocument.Parse(Base64UrlEncoder.Decode(proof.Split('.')[1]));
            var claims = payload.RootElement;
            var jti = claims.TryGetProperty("jti", out var j) ? j.GetString() : null;
            if (jti is null || !_seenJti.TryAdd(jti, 0))
            {
                Interlocked.Increment(ref _replays);
                return "jti replayed";
            }

            var htu = $"{request.Scheme}://{request.Host.Value!.ToLowerInvariant()}{request.PathBase}{request.Path}";
            if (Text(claims, "htm") != request.Method || Text(claims, "htu") != htu)
            {
                return "htm or htu";
            }

            var iat = claims.TryGetProperty("iat", out var i) ? i.GetInt64() : 0;
            if (Math.Abs(DateTimeOffset.UtcNow.ToUnixTimeSeconds() - iat) > 60)
            {
                return "iat";
            }

            if (request.Headers.Authorization.ToString() != "DPoP " + AccessToken || Text(claims, "ath") != ExpectedAth)
            {
                return "token binding";
            }

            var nonce = Text(claims, "nonce");
            return nonce == current || nonce == previous ? null : "use_dpop_nonce";
        }

        private static string? Text(JsonElement claims, string name) =>
            claims.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
    }
}

using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Telemetry;

/// <summary>
/// Issue 21: a server answering 10,000 distinct <c>error</c> strings (token endpoint and API, in WWW-Authenticate and
/// in JSON bodies) leaves at most a bounded set of values on every tag of every <c>DPoP.Http</c> instrument.
/// </summary>
[Category("Slow")]
public sealed class TagVocabularyTests
{
    private const int DistinctErrors = 10_000;
    private const int MaxValuesPerTag = 16;
    private static readonly Uri TokenEndpoint = new("https://login.example.com/token");

    [Test]
    public async Task TenThousandDistinctServerErrors_LeaveABoundedSetOfValuesOnEveryTag()
    {
        var services = new ServiceCollection();
        services.AddHttpClient("vocab-api", c => c.BaseAddress = new Uri("https://api.example.com/"))
            .ConfigurePrimaryHttpMessageHandler(() => new MadeUpErrors())
            .AddDPoP();
        services.AddHttpClient("vocab-token").ConfigurePrimaryHttpMessageHandler(() => new MadeUpErrors()).AddDPoP();
        services.AddHttpClient("vocab-cc", c => c.BaseAddress = new Uri("https://api.example.com/"))
            .ConfigurePrimaryHttpMessageHandler(() => new MadeUpErrors())
            .AddDPoP()
            .AddDPoPClientCredentialsToken(o => { o.TokenEndpoint = TokenEndpoint; o.ClientId = "vocab"; o.ClientSecret = "vocab-secret"; })
            .ConfigureDPoPTokenEndpointClient(t => t.ConfigurePrimaryHttpMessageHandler(() => new MadeUpErrors()));
        using var provider = services.BuildServiceProvider();
        var meters = provider.GetRequiredService<IMeterFactory>();
        using var recorder = new TagRecorder(meters);
        var http = provider.GetRequiredService<IHttpClientFactory>();
        var api = http.CreateClient("vocab-api");
        var tokens = new DPoPTokenClient(http.CreateClient("vocab-token"), new DPoPTokenClientOptions { TokenEndpoint = TokenEndpoint, ClientId = "vocab", ClientSecret = "vocab-secret" })
        {
            Name = "vocab-token",
            MeterFactory = meters,
        };
        var withTokenSource = http.CreateClient("vocab-cc");

        for (var i = 0; i < DistinctErrors; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken("vocab-access-token");
            (await api.SendAsync(request)).Dispose();
            Assert.That(async () => await tokens.RequestClientCredentialsTokenAsync(), Throws.InstanceOf<DPoPTokenException>());
            if (i % 20 == 0)
            {
                Assert.That(async () => await withTokenSource.GetAsync("orders"), Throws.InstanceOf<DPoPTokenException>());
            }
        }

        var tags = recorder.Snapshot();
        Assert.Multiple(() =>
        {
            Assert.That(MadeUpErrors.Sent, Is.GreaterThanOrEqualTo(2 * DistinctErrors), "distinct error strings the servers sent");
            Assert.That(tags.Keys.Select(k => k.Instrument).Distinct(), Does.Contain("dpop.token.requests").And.Contain("dpop.proofs.created"), "instruments seen");
            foreach (var ((instrument, tag), values) in tags)
            {
                Assert.That(values, Has.Count.LessThanOrEqualTo(MaxValuesPerTag), $"{instrument} / {tag}: {string.Join(", ", values.Take(20))}");
                Assert.That(values, Has.None.Contains("made_up"), $"{instrument} / {tag} carries a server-chosen word");
            }
        });
    }

    /// <summary>Answers every request with a new made-up OAuth error: 400 JSON at the token endpoint; 401 WWW-Authenticate or 400 JSON at the API.</summary>
    private sealed class MadeUpErrors : HttpMessageHandler
    {
        private static int _sent;

        public static int Sent => Volatile.Read(ref _sent);

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var n = Interlocked.Increment(ref _sent);
            var error = $"made_up_error_{n}";
            HttpResponseMessage response;
            if (request.RequestUri!.AbsolutePath == "/token" || n % 2 == 0)
            {
                response = new HttpResponseMessage(HttpStatusCode.BadRequest)
                {
                    Content = new StringContent($"{{\"error\":\"{error}\",\"error_description\":\"made up {n}\"}}", Encoding.UTF8, "application/json"),
                };
            }
            else
            {
                response = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                response.Headers.TryAddWithoutValidation("WWW-Authenticate", $"DPoP error=\"{error}\", algs=\"ES256\"");
            }

            return Task.FromResult(response);
        }
    }

    /// <summary>Every tag value of every DPoP.Http instrument of one meter factory.</summary>
    private sealed class TagRecorder : IDisposable
    {
        private readonly ConcurrentDictionary<(string Instrument, string Tag), ConcurrentDictionary<string, byte>> _values = new();
        private readonly MeterListener _listener = new();

        public TagRecorder(IMeterFactory meters)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == "DPoP.Http" && ReferenceEquals(instrument.Meter.Scope, meters))
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<long>((instrument, _, tags, _) => Record(instrument, tags));
            _listener.SetMeasurementEventCallback<int>((instrument, _, tags, _) => Record(instrument, tags));
            _listener.SetMeasurementEventCallback<double>((instrument, _, tags, _) => Record(instrument, tags));
            _listener.Start();
        }

        public Dictionary<(string Instrument, string Tag), HashSet<string>> Snapshot() =>
            _values.ToDictionary(p => p.Key, p => p.Value.Keys.ToHashSet());

        public void Dispose() => _listener.Dispose();

        private void Record(Instrument instrument, ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            foreach (var (name, value) in tags)
            {
                _values.GetOrAdd((instrument.Name, name), static _ => new())[value?.ToString() ?? "(null)"] = 0;
            }
        }
    }
}

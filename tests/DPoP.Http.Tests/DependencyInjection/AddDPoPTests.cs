using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.DependencyInjection;

public sealed class AddDPoPTests
{
    [Test]
    public async Task TypedAndNamedClients_WithDifferentAlgorithms_GetDifferentKeys()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => MockServer.Ok());
        var services = new ServiceCollection();
        services.AddHttpClient<OrdersApi>(c => c.BaseAddress = new Uri("https://orders.example/")).ConfigurePrimaryHttpMessageHandler(() => mock).AddDPoP(o => o.Algorithm = DPoPAlgorithms.PS256);
        services.AddHttpClient("billing").ConfigurePrimaryHttpMessageHandler(() => mock).AddDPoP(o => o.Algorithm = DPoPAlgorithms.ES384);
        services.AddHttpClient("plain").ConfigurePrimaryHttpMessageHandler(() => mock);
        using var provider = services.BuildServiceProvider();

        (await provider.GetRequiredService<OrdersApi>().Client.GetAsync(new Uri("o", UriKind.Relative))).Dispose();
        (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("billing").GetAsync(new Uri("https://billing.example/b"))).Dispose();
        (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("plain").GetAsync(new Uri("https://plain.example/p"))).Dispose();

        var requests = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(requests[0].Verified.HeaderString("alg"), Is.EqualTo("PS256"));
            Assert.That(requests[1].Verified.HeaderString("alg"), Is.EqualTo("ES384"));
            Assert.That(requests[2].DPoPHeaders, Is.Empty);
        });
    }

    [Test]
    public async Task SharedKeyName_TwoClientsSignWithOneKey()
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => MockServer.Ok());
        var services = new ServiceCollection();
        services.AddHttpClient("token").ConfigurePrimaryHttpMessageHandler(() => mock).AddDPoP(o => o.KeyName = "shared");
        services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => mock).AddDPoP(o => o.KeyName = "shared");
        services.AddHttpClient("other").ConfigurePrimaryHttpMessageHandler(() => mock).AddDPoP();
        using var provider = services.BuildServiceProvider();
        var factory = provider.GetRequiredService<IHttpClientFactory>();

        foreach (var name in new[] { "token", "api", "other" })
        {
            (await factory.CreateClient(name).GetAsync(new Uri("https://x.example/"))).Dispose();
        }

        var thumbprints = seen.Select(r => DPoPKey.ComputeJwkThumbprint(r.Verified.JwkJson)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(thumbprints[0], Is.EqualTo(thumbprints[1]));
            Assert.That(thumbprints[2], Is.Not.EqualTo(thumbprints[0]));
        });
    }

    [Test]
    public async Task HandlerRecycling_KeepsKeyAndNonces()
    {
        using var host = new DPoPTestHost((_, n) => MockServer.Ok(n == 1 ? "kept-nonce" : null), services: (_, b) => b.SetHandlerLifetime(TimeSpan.FromSeconds(1)));
        var factory = host.Services.GetRequiredService<IHttpMessageHandlerFactory>();

        // Two handler chains, as IHttpClientFactory builds after a lifetime expires.
        var firstHandler = factory.CreateHandler(DPoPTestHost.ClientName);
        using var first = new HttpClient(firstHandler, disposeHandler: false);
        (await first.GetAsync(new Uri("https://api.example.com/1"))).Dispose();
        HttpMessageHandler secondHandler;
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (ReferenceEquals(secondHandler = factory.CreateHandler(DPoPTestHost.ClientName), firstHandler) && DateTime.UtcNow < deadline)
        {
            await Task.Delay(100); // the factory swaps chains once the 1 s lifetime (its minimum) has passed
        }

        Assert.That(secondHandler, Is.Not.SameAs(firstHandler), "a new handler chain");
        using var second = new HttpClient(secondHandler, disposeHandler: false);
        (await second.GetAsync(new Uri("https://api.example.com/2"))).Dispose();

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("kept-nonce"));
            Assert.That(DPoPKey.ComputeJwkThumbprint(requests[1].Verified.JwkJson), Is.EqualTo(DPoPKey.ComputeJwkThumbprint(requests[0].Verified.JwkJson)));
        });
    }

    [Test]
    public async Task ConfiguredPemKey_InlineAndFile_AreUsed()
    {
        using var key = DPoPKey.Generate(DPoPAlgorithms.ES512);
        var path = Path.Combine(Path.GetTempPath(), $"dpop-{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(path, key.ExportPrivateJwk());
        try
        {
            using var inline = new DPoPTestHost((_, _) => MockServer.Ok(), o => o.PrivateKey = key.PrivateKeyPem);
            using var fromFile = new DPoPTestHost((_, _) => MockServer.Ok(), o => o.PrivateKeyPath = path);
            (await inline.CreateClient().GetAsync(new Uri("a", UriKind.Relative))).Dispose();
            (await fromFile.CreateClient().GetAsync(new Uri("a", UriKind.Relative))).Dispose();

            Assert.Multiple(() =>
            {
                Assert.That(DPoPKey.ComputeJwkThumbprint(inline.Requests[0].Verified.JwkJson), Is.EqualTo(key.JwkThumbprint));
                Assert.That(DPoPKey.ComputeJwkThumbprint(fromFile.Requests[0].Verified.JwkJson), Is.EqualTo(key.JwkThumbprint));
                Assert.That(fromFile.Requests[0].Verified.HeaderString("alg"), Is.EqualTo("ES512"));
            });
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Test]
    public void OptionsBoundFromConfiguration_HandlerSettingsComeFromTheHandlerSection()
    {
        // The documented shape (DPoPClientOptions): key and nonce store settings at the top, the handler's under "Handler".
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DPoP:Orders:Algorithm"] = "ES384",
            ["DPoP:Orders:KeyName"] = "orders",
            ["DPoP:Orders:NonceStoreCapacity"] = "100",
            ["DPoP:Orders:NonceLifetime"] = "00:10:00",
            ["DPoP:Orders:Handler:RetryOnNonceChallenge"] = "false",
            ["DPoP:Orders:Handler:ClockOffset"] = "00:00:05",
            ["DPoP:Orders:Handler:MaxRedirects"] = "5",
            ["DPoP:Orders:Handler:FollowRedirects"] = "false",
            ["DPoP:Orders:Handler:MaxBufferedRequestBodySize"] = "1024",
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("orders").AddDPoP(configuration.GetSection("DPoP:Orders"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<DPoPClientOptions>>().Get("orders");

        Assert.Multiple(() =>
        {
            Assert.That(options.Algorithm, Is.EqualTo("ES384"));
            Assert.That(options.KeyName, Is.EqualTo("orders"));
            Assert.That(options.NonceStoreCapacity, Is.EqualTo(100));
            Assert.That(options.NonceLifetime, Is.EqualTo(TimeSpan.FromMinutes(10)));
            Assert.That(options.Handler.RetryOnNonceChallenge, Is.False);
            Assert.That(options.Handler.ClockOffset, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(options.Handler.MaxRedirects, Is.EqualTo(5));
            Assert.That(options.Handler.FollowRedirects, Is.False);
            Assert.That(options.Handler.MaxBufferedRequestBodySize, Is.EqualTo(1024));
        });
    }

    [Test]
    public async Task OptionsBoundFromConfiguration_AreApplied()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["DPoP:Algorithm"] = "RS256",
            ["DPoP:Handler:RetryOnNonceChallenge"] = "false",
        }).Build();
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => MockServer.TokenEndpointNonceChallenge("n"));
        var services = new ServiceCollection();
        services.AddHttpClient("cfg").ConfigurePrimaryHttpMessageHandler(() => mock).AddDPoP(configuration.GetSection("DPoP"));
        using var provider = services.BuildServiceProvider();
        (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("cfg").PostAsync(new Uri("https://as.example/token"), new StringContent("x"))).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(seen.Single().Verified.HeaderString("alg"), Is.EqualTo("RS256"));
            Assert.That(seen, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task AppWideKeyProvider_IsAskedWithTheKeyName()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), o => o.KeyName = "vault-key", services: (s, _) => s.AddDPoPKeyProvider<RecordingKeyProvider>());
        (await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative))).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(RecordingKeyProvider.AskedFor, Does.Contain("vault-key"));
            Assert.That(DPoPKey.ComputeJwkThumbprint(host.Requests[0].Verified.JwkJson), Is.EqualTo(RecordingKeyProvider.Key.JwkThumbprint));
        });
    }

    [Test]
    public async Task ClientKeyProvider_SignsTheClientsProofs()
    {
        // A configured key beside it would be refused at start-up (IgnoredSettingsValidationTests).
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), o => o.KeyName = "shared", services: (_, b) => b.AddDPoPKeyProvider<RecordingKeyProvider>());
        (await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative))).Dispose();
        Assert.That(DPoPKey.ComputeJwkThumbprint(host.Requests[0].Verified.JwkJson), Is.EqualTo(RecordingKeyProvider.Key.JwkThumbprint));
    }

    [Test]
    public async Task ClientAccessTokenProvider_RegisteredByType_IsUsed()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (_, b) => b.AddDPoPAccessTokenProvider<FixedTokenProvider>());
        (await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative))).Dispose();
        Assert.That(host.Requests[0].Authorization, Is.EqualTo("DPoP fixed-token"));
    }

    [Test]
    public async Task Metrics_CountProofsChallengesAndRetries()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.ResourceNonceChallenge("n1") : MockServer.Ok());
        var meterFactory = host.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var proofs = new MetricCollector<long>(meterFactory, "DPoP.Http", "dpop.proofs.created");
        using var challenges = new MetricCollector<long>(meterFactory, "DPoP.Http", "dpop.nonce.challenges");
        using var retries = new MetricCollector<long>(meterFactory, "DPoP.Http", "dpop.retries");
        (await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative))).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(proofs.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(2));
            Assert.That(challenges.GetMeasurementSnapshot().Single().Tags["dpop.challenge.source"], Is.EqualTo("resource_server"));
            Assert.That(retries.GetMeasurementSnapshot().EvaluateAsCounter(), Is.EqualTo(1));
            Assert.That(proofs.GetMeasurementSnapshot()[0].Tags["dpop.client"], Is.EqualTo(DPoPTestHost.ClientName));
        });
    }

    [Test]
    public async Task Logs_AtTrace_NeverContainTokenNonceProofOrKey()
    {
        const string token = "super-secret-access-token";
        const string nonce = "very-secret-nonce-value";
        var proofs = new List<string>();
        using var configured = DPoPKey.Generate();
        using var host = new DPoPTestHost((seen, n) =>
        {
            lock (proofs)
            {
                proofs.Add(seen.Proof);
            }

            return n == 1 ? MockServer.ResourceNonceChallenge(nonce) : MockServer.Ok(nonce + "-2");
        }, o => o.PrivateKey = configured.PrivateKeyPem);
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders?secret-query=1") { Content = new StreamContent(new ForwardOnlyStream([1, 2, 3])) };
        request.SetDPoPAccessToken(token);
        (await host.CreateClient().SendAsync(request)).Dispose();
        (await host.CreateClient().GetAsync(new Uri("orders", UriKind.Relative))).Dispose();
        (await host.CreateClient().GetAsync(new Uri("orders", UriKind.Relative))).Dispose();

        var logs = host.AllLogText;
        Assert.Multiple(() =>
        {
            Assert.That(host.LogCollector.Collector.Count, Is.GreaterThan(3));
            Assert.That(logs, Does.Not.Contain(token));
            Assert.That(logs, Does.Not.Contain(nonce));
            Assert.That(logs, Does.Not.Contain("secret-query"));
            Assert.That(logs, Does.Not.Contain(configured.PrivateKeyPem.Split('\n')[1]));
            foreach (var proof in proofs)
            {
                Assert.That(logs, Does.Not.Contain(proof.Split('.')[1]));
            }
        });
    }

    [Test]
    public void AddDPoP_NullBuilder_Throws()
    {
        Assert.That(() => DPoPHttpClientBuilderExtensions.AddDPoP(null!), Throws.ArgumentNullException);
    }

    public sealed class OrdersApi(HttpClient client)
    {
        public HttpClient Client { get; } = client;
    }

    public sealed class RecordingKeyProvider : IDPoPKeyProvider
    {
        public static readonly DPoPKey Key = DPoPKey.Generate();

        public static System.Collections.Concurrent.ConcurrentBag<string> AskedFor { get; } = [];

        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            AskedFor.Add(keyName);
            return ValueTask.FromResult(Key);
        }
    }

    public sealed class FixedTokenProvider : IDPoPAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) => ValueTask.FromResult<string?>("fixed-token");
    }
}

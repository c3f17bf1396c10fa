using System.Diagnostics.Metrics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DPoP.Http.Tests.Telemetry;

/// <summary>The telemetry contract: tag names under <c>dpop.</c> and the documented log categories.</summary>
public sealed class TelemetryContractTests
{
    [Test]
    public async Task RetriesRefused_BodyNotResendable_TaggedWithPrefixedReason()
    {
        using var services = Build(new FakeLoggerProvider(), "orders", o => o.Handler.MaxBufferedRequestBodySize = 0);
        using var refused = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), "DPoP.Http", "dpop.retries.refused");
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        using var content = new StreamContent(new NonSeekableStream(new byte[16]));
        using var response = await http.PostAsync(new Uri("https://api.test/orders"), content);

        var measurement = refused.GetMeasurementSnapshot().Single();
        Assert.That(new Dictionary<string, object?>(measurement.Tags), Is.EquivalentTo(new Dictionary<string, object?>
        {
            ["dpop.client"] = "orders",
            ["dpop.reason"] = "body_not_resendable",
        }));
    }

    [Test]
    public async Task HandlerLogs_ProofCreated_UseTheDocumentedCategory()
    {
        using var logs = new FakeLoggerProvider();
        using var services = Build(logs, "orders");
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        using var response = await http.GetAsync(new Uri("https://api.test/orders"));

        var categories = logs.Collector.GetSnapshot().Where(r => r.Id.Id is > 0 and < 100).Select(r => r.Category).Distinct();
        Assert.That(categories, Is.EqualTo(new[] { "DPoP.Http.DPoPDelegatingHandler" }));
    }

    [Test]
    [Category("Integration")]
    public async Task ClientCredentialsToken_TokenRequestThroughTheHandler_CountedAndLoggedUnderTheApiClient()
    {
        await using var server = await TracingServer.StartAsync();
        using var logs = new FakeLoggerProvider();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddHttpClient("orders", c => c.BaseAddress = server.ApiBase).AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = server.TokenEndpoint;
            o.ClientId = "tracing-client";
            o.ClientSecret = TracingServer.ClientSecret;
        });
        await using var provider = services.BuildServiceProvider();
        using var proofs = new MetricCollector<long>(provider.GetRequiredService<IMeterFactory>(), "DPoP.Http", "dpop.proofs.created");

        (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose();

        var records = logs.Collector.GetSnapshot().Where(r => r.Category?.StartsWith("DPoP.Http", StringComparison.Ordinal) == true).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(proofs.GetMeasurementSnapshot().Select(m => m.Tags["dpop.client"]).Distinct(), Is.EqualTo(new[] { "orders" }));
            Assert.That(records.Where(r => r.Id.Id < 100).Select(r => r.Category).Distinct(), Is.EqualTo(new[] { "DPoP.Http.DPoPDelegatingHandler" }));
            Assert.That(records.Where(r => r.Id.Id is >= 100 and < 110 or >= 120 and < 200).Select(r => r.Category).Distinct(), Is.EqualTo(new[] { "DPoP.Http.Tokens" }));
            Assert.That(records.Where(r => r.Id.Id is >= 110 and < 120).Select(r => r.Category).Distinct(), Is.EqualTo(new[] { "DPoP.Http.DPoPTokenClient" }));
            Assert.That(records.Select(r => r.Message), Has.None.Contains("DPoP.Http.TokenEndpoint:"));
        });
    }

    private static ServiceProvider Build(FakeLoggerProvider logs, string name, Action<DPoPClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddHttpClient(name).AddDPoP(o => configure?.Invoke(o)).ConfigurePrimaryHttpMessageHandler(() => new NonceChallengingHandler());
        return services.BuildServiceProvider();
    }

    /// <summary>Answers every request with a resource server's <c>use_dpop_nonce</c> challenge and a new nonce.</summary>
    private sealed class NonceChallengingHandler : HttpMessageHandler
    {
        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            if (request.Content is not null)
            {
                await request.Content.ReadAsByteArrayAsync(cancellationToken);
            }

            var response = new HttpResponseMessage(HttpStatusCode.Unauthorized) { RequestMessage = request };
            response.Headers.WwwAuthenticate.ParseAdd("DPoP error=\"use_dpop_nonce\"");
            response.Headers.Add("DPoP-Nonce", "n-1");
            return response;
        }
    }

    private sealed class NonSeekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}

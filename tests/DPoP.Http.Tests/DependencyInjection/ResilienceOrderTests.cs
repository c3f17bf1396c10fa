using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Polly;

namespace DPoP.Http.Tests.DependencyInjection;

/// <summary>
/// DESIGN §4: a retry handler must wrap the DPoP handler (AddDPoP() after the resilience handler) so that every
/// attempt gets its own proof; the other order resends the first proof, and the app is warned.
/// </summary>
public sealed class ResilienceOrderTests
{
    private static (ServiceProvider Services, System.Collections.Concurrent.ConcurrentQueue<SeenRequest> Seen, FakeLogCollector Logs) Build(bool dpopFirst)
    {
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SeenRequest>();
        var mock = MockServer.Create(seen, (_, n) => n == 1 ? new HttpResponseMessage(HttpStatusCode.ServiceUnavailable) : MockServer.Ok());
        var services = new ServiceCollection();
        var logs = new FakeLogCollector();
        services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        var builder = services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => mock);
        void AddRetry() => builder.AddResilienceHandler("retry", pipeline => pipeline.AddRetry(new HttpRetryStrategyOptions
        {
            MaxRetryAttempts = 1,
            Delay = TimeSpan.Zero,
            BackoffType = DelayBackoffType.Constant,
        }));
        if (dpopFirst)
        {
            builder.AddDPoP();
            AddRetry();
        }
        else
        {
            AddRetry();
            builder.AddDPoP();
        }

        return (services.BuildServiceProvider(), seen, logs);
    }

    [Test]
    public async Task ResilienceOutsideDPoP_EveryAttemptGetsItsOwnProof_AndNoWarning()
    {
        var (services, seen, logs) = Build(dpopFirst: false);
        using var _ = services;
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"));

        var requests = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[1].Verified.Claim("jti"), Is.Not.EqualTo(requests[0].Verified.Claim("jti")));
            Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.None.Contains("registered inside"));
        });
    }

    [Test]
    public async Task ResilienceInsideDPoP_ResendsTheSameProof_AndWarnsNamingTheClient()
    {
        var (services, seen, logs) = Build(dpopFirst: true);
        using var _ = services;
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"));

        var requests = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[1].Proof, Is.EqualTo(requests[0].Proof), "the hazard the warning is about");
            Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.Some.Contains("DPoP client 'api': a resilience or retry handler (ResilienceHandler) is registered inside"));
        });
    }
}

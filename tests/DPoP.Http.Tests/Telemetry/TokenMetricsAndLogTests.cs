using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using System.Diagnostics.Metrics;

namespace DPoP.Http.Tests.Telemetry;

/// <summary>The token instruments of the <c>DPoP.Http</c> meter and the token client's log events, against <see cref="TracingServer"/>.</summary>
[Category("Integration")]
public sealed class TokenMetricsAndLogTests
{
    private static ServiceProvider Build(TracingServer server, FakeLoggerProvider logs, Action<DPoPTokenClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        services.AddHttpClient("orders", c => c.BaseAddress = server.ApiBase)
            .AddDPoP()
            .AddDPoPClientCredentialsToken(o =>
            {
                o.TokenEndpoint = server.TokenEndpoint;
                o.ClientId = "tracing-client";
                o.ClientSecret = TracingServer.ClientSecret;
                configure?.Invoke(o);
            });
        return services.BuildServiceProvider();
    }

    private static Dictionary<string, object?> Tags(CollectedMeasurement<long> measurement) => new(measurement.Tags);

    [Test]
    public async Task TokenRequests_CountedAndTimed_ByGrantTypeAndOutcome_CacheLookupsByResult()
    {
        await using var server = await TracingServer.StartAsync();
        using var logs = new FakeLoggerProvider();
        using var services = Build(server, logs);
        var meters = services.GetRequiredService<IMeterFactory>();
        using var requests = new MetricCollector<long>(meters, "DPoP.Http", "dpop.token.requests");
        using var duration = new MetricCollector<double>(meters, "DPoP.Http", "dpop.token.request.duration");
        using var lookups = new MetricCollector<long>(meters, "DPoP.Http", "dpop.token.cache.lookups");
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        for (var i = 0; i < 3; i++)
        {
            (await http.GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose();
        }

        var request = requests.GetMeasurementSnapshot().Single();
        var timed = duration.GetMeasurementSnapshot().Single();
        var memory = lookups.GetMeasurementSnapshot().Where(m => Equals(m.Tags["dpop.cache.tier"], "memory")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(request.Value, Is.EqualTo(1));
            Assert.That(Tags(request), Is.EquivalentTo(new Dictionary<string, object?>
            {
                ["dpop.client"] = "orders",
                ["dpop.grant_type"] = "client_credentials",
                ["dpop.outcome"] = "success",
            }));
            Assert.That(timed.Value, Is.GreaterThan(0).And.LessThan(30), "seconds");
            Assert.That(timed.Tags["dpop.outcome"], Is.EqualTo("success"));
            Assert.That(memory.Count(m => Equals(m.Tags["dpop.cache.result"], "miss")), Is.EqualTo(1), "the first request");
            Assert.That(memory.Count(m => Equals(m.Tags["dpop.cache.result"], "hit")), Is.EqualTo(2), "the next two");
            Assert.That(memory.All(m => Equals(m.Tags["dpop.client"], "orders") && Equals(m.Tags["dpop.grant_type"], "client_credentials")));
        });

        var obtained = logs.Collector.GetSnapshot().Where(r => r.Id.Id == 110).ToList();
        Assert.That(obtained, Has.Count.EqualTo(1));
        Assert.That(obtained[0].Message, Does.Contain("client_credentials").And.Contain("'orders'").And.Contain(new Uri(server.TokenEndpoint.GetLeftPart(UriPartial.Authority)).Authority));
        AssertNoSecretLogged(logs, server);
    }

    [Test]
    public async Task FailedTokenRequest_CountedWithTheOAuthErrorAsErrorType_AndLogged()
    {
        await using var server = await TracingServer.StartAsync();
        using var logs = new FakeLoggerProvider();
        using var services = Build(server, logs, o =>
        {
            o.ClientId = "refused-client";
            o.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost;
        });
        using var requests = new MetricCollector<long>(services.GetRequiredService<IMeterFactory>(), "DPoP.Http", "dpop.token.requests");
        var http = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        Assert.ThrowsAsync<DPoPTokenException>(() => http.GetAsync(new Uri("orders/42", UriKind.Relative)));

        var failure = requests.GetMeasurementSnapshot().Single();
        var logged = logs.Collector.GetSnapshot().Single(r => r.Id.Id == 111);
        Assert.Multiple(() =>
        {
            Assert.That(failure.Tags["dpop.outcome"], Is.EqualTo("failure"));
            Assert.That(failure.Tags["error.type"], Is.EqualTo("invalid_client"));
            Assert.That(logged.Level, Is.EqualTo(LogLevel.Information));
            Assert.That(logged.Message, Does.Contain("invalid_client"));
        });
        AssertNoSecretLogged(logs, server);
    }

    [Test]
    public async Task TokenEndpointNonceResend_WithPrivateKeyJwt_Logged()
    {
        await using var server = await TracingServer.StartAsync();
        using var logs = new FakeLoggerProvider();
        using var assertionKey = DPoPKey.Generate();
        using var services = Build(server, logs, o =>
        {
            o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientSecret = null;
            o.ClientAssertionKey = assertionKey.PrivateKeyPem;
        });

        (await services.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri("orders/42", UriKind.Relative))).Dispose();

        Assert.That(logs.Collector.GetSnapshot().Count(r => r.Id.Id == 112), Is.EqualTo(1));
        AssertNoSecretLogged(logs, server);
    }

    [Test]
    public void ErrorType_ServerChosenWordsOutsideTheRegistries_BecomeOther()
    {
        Assert.Multiple(() =>
        {
            Assert.That(DPoPTokenTelemetry.ErrorType(new DPoPTokenException("m", System.Net.HttpStatusCode.BadRequest, "invalid_grant", null, null)), Is.EqualTo("invalid_grant"));
            Assert.That(DPoPTokenTelemetry.ErrorType(new DPoPTokenException("m", System.Net.HttpStatusCode.BadRequest, "made_up_" + Guid.NewGuid(), null, null)), Is.EqualTo("_OTHER"));
            Assert.That(DPoPTokenTelemetry.ErrorType(new DPoPTokenException("m", System.Net.HttpStatusCode.ServiceUnavailable, null, null, null)), Is.EqualTo("503"));
            Assert.That(DPoPTokenTelemetry.ErrorType(new HttpRequestException(HttpRequestError.ConnectionError)), Is.EqualTo("connection_error"));
            Assert.That(DPoPTokenTelemetry.ErrorType(new TaskCanceledException("t", new TimeoutException())), Is.EqualTo("timeout"));
        });
    }

    private static void AssertNoSecretLogged(FakeLoggerProvider logs, TracingServer server)
    {
        var secrets = server.Secrets.ToArray();
        // Ours only: IHttpClientFactory's own System.Net.Http.HttpClient.* loggers write paths (and, at Trace, headers; see README).
        foreach (var record in logs.Collector.GetSnapshot().Where(r => r.Category?.StartsWith("DPoP.Http", StringComparison.Ordinal) == true))
        {
            var texts = new List<string> { record.Message, record.Exception?.ToString() ?? string.Empty };
            texts.AddRange(record.StructuredState?.Select(p => $"{p.Key}={p.Value}") ?? []);
            foreach (var text in texts)
            {
                foreach (var secret in secrets)
                {
                    Assert.That(text, Does.Not.Contain(secret), $"event {record.Id} ({record.Category})");
                }
            }
        }
    }
}

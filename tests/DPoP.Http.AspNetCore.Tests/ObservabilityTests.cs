using System.Diagnostics;
using System.Diagnostics.Metrics;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using OpenTelemetry;
using OpenTelemetry.Trace;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>What a session's life leaves in logs, metrics and traces: counts on the DPoP.Http meter, spans, and no secret anywhere.</summary>
public sealed class ObservabilityTests : InteropTest
{
    private static readonly ActivitySource TestSource = new("DPoP.Http.AspNetCore.Tests.Tracing");

    [Test]
    public async Task SessionLifecycle_IsCountedOnTheDPoPMeter_AndLogsNoSecret()
    {
        await using var app = await WebApp.StartAsync();
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var exchanges = new MetricCollector<long>(meters, "DPoP.Http", "dpop.code_exchanges");
        using var refreshes = new MetricCollector<long>(meters, "DPoP.Http", "dpop.user_token.refreshes");
        using var revocations = new MetricCollector<long>(meters, "DPoP.Http", "dpop.user_token.revocations");
        using var alice = new BrowserUser("alice", app.BaseAddress);

        using (await alice.SignInAsync())
        {
        }

        var (sessionId, signedIn) = await WebSignInTests.StoredSessionAsync(app);
        app.Clock.Advance(WebApp.PastExpiry);
        using (await alice.GetAsync("api"))
        {
        }

        var (_, refreshed) = await WebSignInTests.StoredSessionAsync(app);
        using (await alice.GetAsync("logout"))
        {
        }

        string[] secrets = [sessionId, signedIn.AccessToken, signedIn.RefreshToken!, refreshed.AccessToken, refreshed.RefreshToken!, signedIn.PrivateJwk!];
        var messages = app.Log.Messages.ToList();
        Assert.Multiple(() =>
        {
            Assert.That(exchanges.GetMeasurementSnapshot().Select(m => m.Tags["dpop.outcome"]), Is.EqualTo(new[] { "success" }));
            Assert.That(refreshes.GetMeasurementSnapshot().Select(m => m.Tags["dpop.outcome"]), Is.EqualTo(new[] { "success" }));
            Assert.That(revocations.GetMeasurementSnapshot().Select(m => m.Tags["dpop.outcome"]), Is.EqualTo(new[] { "success" }));
            Assert.That(refreshes.GetMeasurementSnapshot().Select(m => m.Tags["dpop.scheme"]), Is.All.EqualTo(WebApp.Scheme));
            Assert.That(messages.Where(m => m.Contains("DPoP.Http.AspNetCore[", StringComparison.Ordinal)), Is.Not.Empty, "the package logs");
            foreach (var secret in secrets)
            {
                Assert.That(messages.Where(m => m.Contains(secret, StringComparison.Ordinal)), Is.Empty, "no token, key or session id in any log message");
            }
        });
    }

    [Test]
    public async Task SessionsOwnTokenRequests_AreTaggedWithTheScheme_NeverWithAnInternalClientName()
    {
        await using var app = await WebApp.StartAsync();
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        using var tokenRequests = new MetricCollector<long>(meters, "DPoP.Http", "dpop.token.requests");
        using var proofs = new MetricCollector<long>(meters, "DPoP.Http", "dpop.proofs.created");
        using var alice = new BrowserUser("alice", app.BaseAddress);

        var spans = await TraceAsync(async () =>
        {
            using (await alice.SignInAsync())
            {
            }

            app.Clock.Advance(TimeSpan.FromSeconds(250));
            using (await alice.GetAsync("api"))
            {
            }
        });

        var requests = tokenRequests.GetMeasurementSnapshot();
        var requestSpans = spans.Where(a => a.OperationName == "dpop.token.request").ToList();
        var clientTags = spans.Where(a => a.Source.Name == "DPoP.Http").Select(a => a.GetTagItem("dpop.client") as string)
            .Concat(requests.Select(m => m.Tags.GetValueOrDefault("dpop.client") as string))
            .Concat(proofs.GetMeasurementSnapshot().Select(m => m.Tags.GetValueOrDefault("dpop.client") as string))
            .Where(t => t is not null).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(requests.Select(m => m.Tags["dpop.grant_type"]), Is.EquivalentTo(new[] { "authorization_code", "refresh_token" }));
            Assert.That(requests.Select(m => m.Tags.GetValueOrDefault("dpop.scheme")), Is.All.EqualTo(WebApp.Scheme));
            Assert.That(requestSpans.Select(a => a.GetTagItem("dpop.grant_type")), Is.EquivalentTo(new[] { "authorization_code", "refresh_token" }));
            Assert.That(requestSpans.Select(a => a.GetTagItem("dpop.scheme")), Is.All.EqualTo(WebApp.Scheme));
            Assert.That(proofs.GetMeasurementSnapshot().Where(m => m.Tags.ContainsKey("dpop.scheme")).Select(m => m.Tags["dpop.scheme"]),
                Is.Not.Empty.And.All.EqualTo(WebApp.Scheme), "the token requests' proofs count under the scheme");
            Assert.That(clientTags, Has.None.StartsWith("DPoP.Http.AspNetCore"), "dpop.client is only ever an API client's name");
            var ownLogs = app.Log.Messages.Where(m => m.Split(' ')[1].StartsWith("DPoP.Http", StringComparison.Ordinal)).ToList();
            Assert.That(ownLogs.Where(m => m.Contains("DPoP.Http.AspNetCore." + WebApp.Scheme, StringComparison.Ordinal)), Is.Empty,
                "the library's logs name the scheme, not an internal client");
            Assert.That(ownLogs.Where(m => m.Contains("DPoP.Http.DPoPTokenClient[110]", StringComparison.Ordinal)), Has.Some.Contains($"'{WebApp.Scheme}'"));
        });
    }

    [Test]
    public async Task UserTokenAcquisition_IsTraced_UnderTheAppsRequest_CacheHitThenRefresh_WithNoSecret()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        var spans = await TraceAsync(async () =>
        {
            using (await alice.GetAsync("api"))
            {
            }

            app.Clock.Advance(WebApp.PastExpiry);
            using (await alice.GetAsync("api"))
            {
            }
        });

        var acquires = spans.Where(a => a.OperationName == "dpop.token.acquire").ToList();
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);
        Assert.That(acquires, Has.Count.EqualTo(2), "one per API call, in the test's trace (propagated through the app's request)");
        var refresh = spans.SingleOrDefault(a => a.OperationName == "dpop.token.request");
        Assert.Multiple(() =>
        {
            Assert.That(acquires[0].GetTagItem("dpop.token.cache_hit"), Is.EqualTo(true));
            Assert.That(acquires[1].GetTagItem("dpop.token.cache_hit"), Is.EqualTo(false), "refreshed");
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.scheme")), Is.All.EqualTo(WebApp.Scheme));
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.outcome")), Is.All.EqualTo("success"));
            Assert.That(spans.Single(a => a.SpanId == acquires[0].ParentSpanId).Source.Name, Is.EqualTo("Microsoft.AspNetCore"), "child of the app's request span");
            Assert.That(refresh, Is.Not.Null);
            Assert.That(refresh!.ParentSpanId, Is.EqualTo(acquires[1].SpanId));
            Assert.That(refresh.GetTagItem("dpop.grant_type"), Is.EqualTo("refresh_token"));
            Assert.That(refresh.GetTagItem("dpop.outcome"), Is.EqualTo("success"));
        });

        string[] secrets = [session.AccessToken, session.RefreshToken!, session.PrivateJwk!, "/api", "/token"];
        foreach (var span in spans.Where(a => a.Source.Name == "DPoP.Http"))
        {
            foreach (var tag in span.TagObjects)
            {
                foreach (var secret in secrets)
                {
                    Assert.That($"{tag.Key}={tag.Value}", Does.Not.Contain(secret), span.OperationName);
                }
            }
        }
    }

    [Test]
    public async Task AppTokenAcquisition_IsTraced_TokenRequestThenCacheHit()
    {
        await using var app = await WebApp.StartAsync();
        using var anonymous = new BrowserUser("nobody", app.BaseAddress);

        var spans = await TraceAsync(async () =>
        {
            for (var i = 0; i < 2; i++)
            {
                using (await anonymous.GetAsync("app-api"))
                {
                }
            }
        });

        var acquires = spans.Where(a => a.OperationName == "dpop.token.acquire").ToList();
        Assert.That(acquires, Has.Count.EqualTo(2), "one per API call");
        var request = spans.Single(a => a.OperationName == "dpop.token.request");
        Assert.Multiple(() =>
        {
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.token.cache_hit")), Is.EqualTo(new object[] { false, true }));
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.grant_type")), Is.All.EqualTo("client_credentials"));
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.client")), Is.All.EqualTo("app"));
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.scheme")), Is.All.EqualTo(WebApp.Scheme), "the scheme the app tokens come through");
            Assert.That(acquires.Select(a => a.GetTagItem("dpop.outcome")), Is.All.EqualTo("success"));
            Assert.That(request.ParentSpanId, Is.EqualTo(acquires[0].SpanId), "the token request is part of the first acquisition");
            Assert.That(request.GetTagItem("dpop.grant_type"), Is.EqualTo("client_credentials"));
        });
    }

    /// <summary>Runs <paramref name="act"/> under a test span, exporting through OpenTelemetry; returns its trace's spans in start order.</summary>
    private static async Task<List<Activity>> TraceAsync(Func<Task> act)
    {
        var exported = new List<Activity>();
        Activity root;
        using (var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource("DPoP.Http", "System.Net.Http", "Microsoft.AspNetCore", TestSource.Name)
            .SetSampler(new AlwaysOnSampler())
            .AddInMemoryExporter(exported)
            .Build())
        {
            using (root = TestSource.StartActivity("test")!)
            {
                await act();
            }

            tracing!.ForceFlush();
        }

        lock (exported)
        {
            return [.. exported.Where(a => a.TraceId == root.TraceId).OrderBy(a => a.StartTimeUtc)];
        }
    }
}

using System.Diagnostics.Metrics;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>The web instruments speak the core's vocabulary: <c>dpop.outcome</c>, a bounded <c>error.type</c>, <c>dpop.reason</c>; never a word the server chose.</summary>
public sealed class WebMetricsVocabularyTests : InteropTest
{
    private static readonly string[] Instruments = ["dpop.code_exchanges", "dpop.user_token.refreshes", "dpop.user_token.revocations", "dpop.user_sessions.expired"];

    [Test]
    public async Task TokenEndpointErrors_OfAnyWording_TagWebInstrumentsOnlyWithRegisteredCodesOrOther()
    {
        string[] madeUp = ["made_up_refresh_error", "Server Chosen <b>words</b>", "x-" + Guid.NewGuid().ToString("N"), "made_up_code_error", "made_up_revocation_error"];
        var refreshErrors = new Queue<string>([madeUp[0], madeUp[1], madeUp[2], "server_error", "invalid_grant"]);
        var gate = new TokenEndpointGate();
        await using var app = await WebApp.StartAsync(configureServices: gate.Install);
        var meters = app.Services.GetRequiredService<IMeterFactory>();
        var collectors = Instruments.ToDictionary(i => i, i => new MetricCollector<long>(meters, "DPoP.Http", i));
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var bob = new BrowserUser("bob", app.BaseAddress);
        using var carol = new BrowserUser("carol", app.BaseAddress);
        using (await alice.SignInAsync())
        using (await bob.SignInAsync())
        {
        }

        // Every refresh answered with the next word, the last one ending alice's session.
        gate.Refuse = kind => kind == "refresh_token" && refreshErrors.Count > 0 ? refreshErrors.Dequeue() : null;
        app.Clock.Advance(WebApp.PastExpiry);
        while (refreshErrors.Count > 0)
        {
            using (await alice.GetAsync("api"))
            {
            }
        }

        gate.Refuse = kind => kind switch { "revocation" => madeUp[4], "authorization_code" => madeUp[3], _ => null };
        using (await bob.GetAsync("logout"))
        using (await carol.SignInAsync())
        {
        }

        var measurements = collectors.ToDictionary(c => c.Key, c => c.Value.GetMeasurementSnapshot());
        foreach (var collector in collectors.Values)
        {
            collector.Dispose();
        }

        string[] allowedTags = ["dpop.scheme", "dpop.outcome", "error.type", "dpop.reason"];
        Assert.Multiple(() =>
        {
            foreach (var (instrument, snapshot) in measurements)
            {
                foreach (var measurement in snapshot)
                {
                    Assert.That(measurement.Tags.Keys, Is.SubsetOf(allowedTags), instrument);
                    foreach (var word in madeUp)
                    {
                        Assert.That(measurement.Tags.Values.Select(v => v?.ToString()), Has.None.Contain(word), $"{instrument} carries a server-chosen word");
                    }
                }
            }

            Assert.That(ErrorTypes(measurements["dpop.user_token.refreshes"]), Is.EqualTo(new[] { "_OTHER", "_OTHER", "_OTHER", "server_error", "invalid_grant" }));
            Assert.That(ErrorTypes(measurements["dpop.code_exchanges"]), Is.EqualTo(new[] { "_OTHER" }));
            Assert.That(ErrorTypes(measurements["dpop.user_token.revocations"]), Is.EqualTo(new[] { "_OTHER" }));
            Assert.That(measurements["dpop.user_token.refreshes"].Select(m => m.Tags["dpop.outcome"]), Is.All.EqualTo("failure"));
            Assert.That(measurements["dpop.code_exchanges"].Select(m => m.Tags["dpop.outcome"]), Is.EqualTo(new[] { "success", "success", "failure" }));
            Assert.That(measurements["dpop.user_sessions.expired"].Select(m => m.Tags["dpop.reason"]), Is.EqualTo(new[] { "RefreshTokenRejected" }));
        });
    }

    private static IEnumerable<object?> ErrorTypes(IReadOnlyList<CollectedMeasurement<long>> measurements) =>
        measurements.Where(m => m.Tags.ContainsKey("error.type")).Select(m => m.Tags["error.type"]);
}

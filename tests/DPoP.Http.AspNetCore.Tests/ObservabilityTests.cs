using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.Metrics.Testing;
using System.Diagnostics.Metrics;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>What a session's life leaves in logs and metrics: counts on the DPoP.Http meter, and no secret anywhere.</summary>
public sealed class ObservabilityTests : InteropTest
{
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
        app.Clock.Advance(TimeSpan.FromSeconds(250));
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
            Assert.That(exchanges.GetMeasurementSnapshot().Select(m => m.Tags["outcome"]), Is.EqualTo(new[] { "success" }));
            Assert.That(refreshes.GetMeasurementSnapshot().Select(m => m.Tags["outcome"]), Is.EqualTo(new[] { "success" }));
            Assert.That(revocations.GetMeasurementSnapshot().Select(m => m.Tags["outcome"]), Is.EqualTo(new[] { "success" }));
            Assert.That(refreshes.GetMeasurementSnapshot().Select(m => m.Tags["dpop.scheme"]), Is.All.EqualTo(WebApp.Scheme));
            Assert.That(messages.Where(m => m.Contains("DPoP.Http.AspNetCore[", StringComparison.Ordinal)), Is.Not.Empty, "the package logs");
            foreach (var secret in secrets)
            {
                Assert.That(messages.Where(m => m.Contains(secret, StringComparison.Ordinal)), Is.Empty, "no token, key or session id in any log message");
            }
        });
    }
}

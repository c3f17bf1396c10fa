using System.Diagnostics;
using System.Net;
using DPoP.Http.AspNetCore.Internal;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// What a user's call meets when a part fails: a hanging token endpoint (a bounded wait, a clear exception, the session
/// kept), a session store that is down (a clear exception, sign-out still clearing the cookie), and a refresh token
/// refused because another instance rotated it first (the newer session used, not ended).
/// </summary>
public sealed class SessionFailureTests : InteropTest
{
    [Test]
    public async Task ApiCall_WithAHangingTokenEndpoint_FailsWithinRefreshTimeout_AndTheSessionStays()
    {
        var gate = new TokenEndpointGate { HoldRequest = "refresh_token" };
        await using var app = await WebApp.StartAsync(configureServices: services =>
        {
            gate.Install(services);
            services.AddSingleton<IStartupFilter, ExceptionReporter>();
        });
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        // The default RefreshTimeout (5 s) applies; without it the call would wait for HttpClient's 100 s.
        app.Clock.Advance(WebApp.PastExpiry);
        var elapsed = Stopwatch.StartNew();
        using var timedOut = await alice.GetAsync("api");
        elapsed.Stop();
        var answer = await timedOut.Content.ReadAsStringAsync();
        gate.HoldRequest = null;
        using var retried = await alice.GetAsync("api");
        var result = await ApiResult.ReadAsync(retried);

        Assert.Multiple(() =>
        {
            Assert.That(gate.Held.IsCompleted, Is.True, "the refresh request was held");
            Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "bounded by RefreshTimeout, not HttpClient's 100 s");
            Assert.That(answer, Does.StartWith("System.TimeoutException|").And.Contain("'oidc'").And.Contain("RefreshTimeout"), answer);
            Assert.That(app.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[214]"), "the timeout is logged");
            Assert.That(result.ApiStatus, Is.EqualTo(200), "the session stayed, and the next call refreshes it");
        });
        gate.Release();
    }

    [Test]
    public async Task SessionStoreDown_ApiCallFailsNamingTheSchemeAndTheStore_AndSignOutStillClearsTheCookie()
    {
        var store = new UnreliableDistributedCache(new TrackingDistributedCache());
        await using var app = await WebApp.StartAsync(configureServices: services =>
        {
            services.AddSingleton<IDistributedCache>(store);
            services.AddSingleton<IStartupFilter, ExceptionReporter>();
        });
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        store.Down = true;
        using var call = await alice.GetAsync("api");
        var answer = await call.Content.ReadAsStringAsync();
        using var signedOut = await alice.GetAsync("logout");
        using var me = await alice.GetAsync("me");

        Assert.Multiple(async () =>
        {
            Assert.That(answer, Does.StartWith("System.InvalidOperationException|").And.Contain("'oidc'").And.Contain("session store").And.Contain("IDistributedCache"), answer);
            Assert.That(answer, Does.EndWith("|System.IO.IOException"), "the store's exception is the inner one");
            Assert.That(answer, Does.Not.Contain("Key:"), "the store's message (which names the session's key) is not repeated");
            Assert.That(signedOut.StatusCode, Is.EqualTo(HttpStatusCode.OK), await signedOut.Content.ReadAsStringAsync());
            Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the cookie is signed out");
            Assert.That(app.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[215]"), "the session that could not be ended is logged");
        });
    }

    [Test]
    public async Task RefreshRefused_AfterAnotherInstanceRotatedTheToken_UsesTheNewerSession_AndDoesNotEndIt()
    {
        var gate = new TokenEndpointGate { HoldRequest = "refresh_token" };
        await using var app = await WebApp.StartAsync(configureServices: gate.Install);
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        var (sessionId, session) = await WebSignInTests.StoredSessionAsync(app);
        app.Clock.Advance(WebApp.PastExpiry);
        var call = alice.GetAsync("api");
        await gate.Held.WaitAsync(TimeSpan.FromSeconds(30));

        // Meanwhile another instance of the farm refreshes the session and stores the rotated tokens; the held
        // refresh then sends the old refresh token, which the provider refuses (invalid_grant).
        using (var key = DPoPKey.FromJwk(session.PrivateJwk!))
        {
            var rotated = await WebSignOutTests.CreateTokenClient(key).RefreshTokenAsync(session.RefreshToken!);
            var now = app.Clock.GetUtcNow();
            var newer = session with { AccessToken = rotated.AccessToken, RefreshToken = rotated.RefreshToken, IssuedAt = now, ExpiresAt = now.AddSeconds(300) };
            await app.Services.GetRequiredService<UserSessionStore>().SetAsync(WebApp.Scheme, sessionId, newer, TimeSpan.FromDays(1), CancellationToken.None);
        }

        gate.Release();
        using var response = await call;
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(app.Store.SessionKeys, Has.Count.EqualTo(1), "the session is not ended");
        });
    }
}

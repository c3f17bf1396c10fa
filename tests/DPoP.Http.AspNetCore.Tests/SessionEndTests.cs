using System.Diagnostics;
using System.Net;
using DPoP.Http.AspNetCore.Internal;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// A session that ended stays ended: a refresh answered after the sign-out is not written back (its refresh token is
/// revoked), a hanging revocation endpoint does not hold the sign-out, and signing in again ends the previous session.
/// </summary>
public sealed class SessionEndTests : InteropTest
{
    [Test]
    public async Task SignOut_WhileARefreshIsAnswered_TheLateAnswerNeitherRevivesTheSessionNorKeepsItsRefreshToken()
    {
        // The provider has answered alice's refresh (a new refresh token), but the answer arrives after her sign-out.
        var gate = new TokenEndpointGate { HoldAnswer = "refresh_token" };
        await using var app = await WebApp.StartAsync(configureServices: gate.Install);

        UserSession? session = null;
        var race = await SignOutDuringRefreshAsync(app, async () => session = (await WebSignInTests.StoredSessionAsync(app)).Session, gate.Held, gate.Release);
        using var key = DPoPKey.FromJwk(session!.PrivateJwk!);
        var refused = Assert.ThrowsAsync<DPoPTokenException>(() => WebSignOutTests.CreateTokenClient(key).RefreshTokenAsync(gate.HeldRefreshToken!));

        Assert.Multiple(() =>
        {
            Assert.That(app.Store.SessionKeys, Is.Empty, "the session is not written back");
            Assert.That(race.Replayed, Is.EqualTo("session-expired:SignedOut"), "a copy of the old cookie is signed out");
            Assert.That(race.InFlight, Is.EqualTo("session-expired:SignedOut"), "the call in flight does not get the late token");
            Assert.That(ProviderLog.Count(race.Mark, "POST /token/revocation 200"), Is.EqualTo(2), "the sign-out's refresh token, then the late answer's");
            Assert.That(refused!.Error, Is.EqualTo("invalid_grant"), "the late answer's refresh token is dead at the provider");
        });
    }

    [Test]
    public async Task SignOut_BetweenARefreshsCheckAndItsWrite_TheWrittenSessionIsRemovedAndItsRefreshTokenRevoked()
    {
        // The refresh found no tombstone and is about to write; the sign-out happens now, reading the old refresh token.
        var tracked = new TrackingDistributedCache();
        var store = new UnreliableDistributedCache(tracked);
        await using var app = await WebApp.StartAsync(configureServices: services => services.AddSingleton<IDistributedCache>(store));

        var race = await SignOutDuringRefreshAsync(app, () =>
        {
            store.HoldSessionWrites = true;
            return Task.CompletedTask;
        }, store.Held, store.Release);

        Assert.Multiple(() =>
        {
            Assert.That(tracked.SessionKeys, Is.Empty, "the session written after the sign-out is removed");
            Assert.That(race.Replayed, Is.EqualTo("session-expired:SignedOut"), "a copy of the old cookie is signed out");
            Assert.That(race.InFlight, Is.EqualTo("session-expired:SignedOut"));
            Assert.That(ProviderLog.Count(race.Mark, "POST /token/revocation 200"), Is.EqualTo(2), "the sign-out's refresh token, then the one written after it");
        });
    }

    [Test]
    public async Task SignOut_WithAHangingRevocationEndpoint_CompletesWithinRevocationTimeout_AndLogsTheFailure()
    {
        var gate = new TokenEndpointGate { HoldRequest = "revocation" };
        await using var app = await WebApp.StartAsync(configureServices: gate.Install);
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        // The default RevocationTimeout (5 s) applies; without it HttpClient would wait 100 s, past the browser's 60 s.
        var elapsed = Stopwatch.StartNew();
        using var signedOut = await alice.GetAsync("logout");
        elapsed.Stop();
        gate.Release();
        using var me = await alice.GetAsync("me");

        Assert.Multiple(() =>
        {
            Assert.That(gate.Held.IsCompleted, Is.True, "the revocation request was held");
            Assert.That(signedOut.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "bounded by RevocationTimeout, not HttpClient's 100 s");
            Assert.That(app.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[209]").And.Contains("(timeout)"), "the failed revocation is logged");
            Assert.That(app.Store.SessionKeys, Is.Empty, "the session is dropped all the same");
            Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the cookie is signed out");
        });
    }

    /// <summary>
    /// Alice signs in; <paramref name="signedIn"/> runs (arming the hold) and her API call (which refreshes) starts;
    /// once <paramref name="held"/> says the refresh is held she signs out, then <paramref name="release"/> lets it go on.
    /// Returns what the call in flight and then a copy of her old cookie got, and the provider log mark.
    /// </summary>
    private static async Task<(string InFlight, string Replayed, int Mark)> SignOutDuringRefreshAsync(WebApp app, Func<Task> signedIn, Task held, Action release)
    {
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        await signedIn();
        using var oldCookie = new BrowserUser("alice", app.BaseAddress);
        oldCookie.Cookies.Add(alice.Cookies.GetAllCookies());
        var mark = InteropServers.Log.Count;

        app.Clock.Advance(WebApp.PastExpiry);
        var call = alice.GetAsync("api");
        await held.WaitAsync(TimeSpan.FromSeconds(30));
        using (await alice.GetAsync("logout"))
        {
        }

        release();
        using var inFlight = await call;
        using var replayed = await oldCookie.GetAsync("api");
        return (await inFlight.Content.ReadAsStringAsync(), await replayed.Content.ReadAsStringAsync(), mark);
    }

    [Test]
    public async Task SignIn_AgainWithoutSigningOut_RevokesAndRemovesThePreviousSession()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        var (firstId, first) = await WebSignInTests.StoredSessionAsync(app);
        using (var again = await alice.SignInAsync())
        {
            Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), "signed in again");
        }

        using var key = DPoPKey.FromJwk(first.PrivateJwk!);
        var refused = Assert.ThrowsAsync<DPoPTokenException>(() => WebSignOutTests.CreateTokenClient(key).RefreshTokenAsync(first.RefreshToken!));
        app.Clock.Advance(WebApp.PastExpiry);
        using var call = await alice.GetAsync("api");
        var result = await ApiResult.ReadAsync(call);

        Assert.Multiple(() =>
        {
            Assert.That(refused!.Error, Is.EqualTo("invalid_grant"), "the first session's refresh token is revoked");
            Assert.That(app.Store.SessionKeys, Has.Count.EqualTo(1), "one session: the new one");
            Assert.That(app.Store.SessionKeys.Single(), Does.Not.EndWith(firstId));
            Assert.That(result.ApiStatus, Is.EqualTo(200), "the new session refreshes with its own, live grant");
        });
    }
}

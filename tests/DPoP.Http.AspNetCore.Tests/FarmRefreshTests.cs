using System.Net;
using DPoP.Http.InteropTests.AspNetCore.Support;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// Two instances of one app sharing one Redis (session store, Data Protection key ring, and with the lock provider
/// registered the refresh lock), one signed-in user whose cookie works on both, against oidc-provider, which revokes
/// the whole grant when a rotated refresh token comes back: a double refresh is visible in its log.
/// </summary>
public sealed class FarmRefreshTests : InteropTest
{
    private const string ReuseDetected = "refresh token already used";

    [Test]
    public async Task Refresh_25Plus25CallsOnTwoInstances_WithTheLock_SendOneRefreshGrantPerRound_TwoRoundsInARow()
    {
        // Generous bounds: the point is the lock's effect, not the machine's speed (their defaults are tested elsewhere).
        var gate = new TokenEndpointGate { HoldRequest = "refresh_token" };
        await using var farm = await WebFarm.StartAsync(
            refreshLock: true,
            o => (o.RefreshTimeout, o.RefreshLockTimeout) = (TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(20)),
            (_, services) => gate.Install(services));
        var (onA, onB) = await SignInAsync(farm);
        using var alice = onA;
        using var aliceCookieCopy = onB;
        var before = await GetApiAsync(onA);
        Assert.That((await GetApiAsync(onB)).TokenJkt, Is.EqualTo(before.TokenJkt), "the same session on both instances");

        for (var round = 1; round <= 2; round++)
        {
            var mark = InteropServers.Log.Count;
            farm.Advance(WebApp.PastExpiry);
            var calls = Enumerable.Range(0, 50).Select(i => CallAsync(i % 2 == 0 ? onA : onB)).ToList();
            if (round == 1)
            {
                // Proof that the instances overlap: one refresh is held at the token endpoint while the other
                // instance says it waits for the lock; only then does the held one go on.
                await gate.Held.WaitAsync(TimeSpan.FromSeconds(30));
                await farm.WaitForEventAsync(219, TimeSpan.FromSeconds(30));
                gate.Release();
            }

            var results = await Task.WhenAll(calls);

            Assert.Multiple(() =>
            {
                Assert.That(results, Is.All.EqualTo("api:200"), $"round {round}");
                Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), $"round {round}: one refresh grant for 25 + 25 calls on two instances");
                Assert.That(ProviderLog.Count(mark, "invalid_grant"), Is.Zero, $"round {round}: no refresh token sent twice");
            });
        }

        Assert.That(farm.Instances.SelectMany(i => i.Log.Messages), Has.None.Contains("DPoP.Http.AspNetCore[225]"), "no start-up warning with a lock provider");
    }

    [Test]
    public async Task Refresh_OnTwoInstancesAtOnce_WithoutTheLock_SendsTheRefreshTokenTwice_AndTheProviderEndsTheGrant()
    {
        // Each instance's refresh is held before it is sent, until both have read the same refresh token.
        var gates = new[] { new TokenEndpointGate { HoldRequest = "refresh_token" }, new TokenEndpointGate { HoldRequest = "refresh_token" } };
        await using var farm = await WebFarm.StartAsync(refreshLock: false, configureInstance: (i, services) => gates[i].Install(services));
        var (onA, onB) = await SignInAsync(farm);
        using var alice = onA;
        using var aliceCookieCopy = onB;
        var mark = InteropServers.Log.Count;

        farm.Advance(WebApp.PastExpiry);
        var callsOnA = Enumerable.Range(0, 25).Select(_ => CallAsync(onA)).ToList();
        var callsOnB = Enumerable.Range(0, 25).Select(_ => CallAsync(onB)).ToList();
        await Task.WhenAll(gates.Select(g => g.Held)).WaitAsync(TimeSpan.FromSeconds(30));
        gates[0].Release();
        var onAResults = await Task.WhenAll(callsOnA);
        gates[1].Release();
        var onBResults = await Task.WhenAll(callsOnB);
        var firstRound = (Grants: ProviderLog.RefreshGrants(mark), Reuse: ProviderLog.Count(mark, ReuseDetected));

        // The next refresh uses the refresh token A stored; the provider revoked its grant when B sent the old one.
        farm.Advance(WebApp.PastExpiry);
        var nextOnA = await CallAsync(onA);
        var nextOnB = await CallAsync(onB);

        Assert.Multiple(() =>
        {
            Assert.That(farm.Instances.Select(i => i.Log.Messages.Count(m => m.Contains("DPoP.Http.AspNetCore[225]", StringComparison.Ordinal))), Is.All.EqualTo(1),
                "each instance warned at start-up: shared store, no lock provider");
            Assert.That(firstRound.Grants, Is.EqualTo(1), "A's refresh succeeded");
            Assert.That(firstRound.Reuse, Is.EqualTo(1), "B sent the same refresh token again: reuse detected, grant revoked");
            Assert.That(onAResults, Is.All.EqualTo("api:200"));
            Assert.That(onBResults, Is.All.EqualTo("api:200"), "B re-read the store after invalid_grant and used A's tokens (JWT access tokens stay valid at the API)");
            Assert.That(farm.B.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[226]"));
            Assert.That(nextOnA, Is.EqualTo("session-expired:RefreshTokenRejected"), "the grant is gone");
            Assert.That(nextOnB, Is.EqualTo("session-expired:SessionNotFound"), "and with it the session, on every instance");
        });
    }

    [Test]
    public async Task SignOut_OnOneInstance_EndsTheSessionOnBoth()
    {
        await using var farm = await WebFarm.StartAsync(refreshLock: true);
        var (onA, onB) = await SignInAsync(farm);
        using var alice = onA;
        using var aliceCookieCopy = onB;
        await GetApiAsync(onB);

        using (var signedOut = await onA.GetAsync("logout"))
        {
            Assert.That(signedOut.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }

        var withOldCookieOnB = await CallAsync(onB);
        farm.Advance(WebApp.PastExpiry);
        var refreshOnB = await CallAsync(onB);

        Assert.Multiple(() =>
        {
            Assert.That(withOldCookieOnB, Is.EqualTo("session-expired:SignedOut"), "B's copy of the cookie names an ended session");
            Assert.That(refreshOnB, Is.EqualTo("session-expired:SignedOut"), "and no refresh revives it");
        });
    }

    /// <summary>Alice signs in on A; her cookie, copied as a browser would send it, works on B (one key ring).</summary>
    internal static async Task<(BrowserUser OnA, BrowserUser OnB)> SignInAsync(WebFarm farm)
    {
        var onA = new BrowserUser("alice", farm.A.BaseAddress);
        using (var signedIn = await onA.SignInAsync())
        {
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "signed in on A");
        }

        var onB = new BrowserUser("alice", farm.B.BaseAddress);
        onB.Cookies.Add(onA.Cookies.GetAllCookies());
        using var me = await onB.GetAsync("me");
        Assert.That(await me.Content.ReadAsStringAsync(), Is.EqualTo("alice"), "the cookie from A is accepted by B");
        return (onA, onB);
    }

    /// <summary>The user's call through the app to the API: "api:&lt;the API's status&gt;", or what the app answered instead.</summary>
    internal static async Task<string> CallAsync(BrowserUser user)
    {
        using var response = await user.GetAsync("api");
        return response.StatusCode == HttpStatusCode.OK
            ? $"api:{(await ApiResult.ReadAsync(response)).ApiStatus}"
            : await response.Content.ReadAsStringAsync();
    }

    private static async Task<ApiResult> GetApiAsync(BrowserUser user)
    {
        using var response = await user.GetAsync("api");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ApiResult.ReadAsync(response);
    }
}

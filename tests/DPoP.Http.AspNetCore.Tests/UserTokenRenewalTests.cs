using System.Net;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// A session's token inside its renewal window (valid, about to expire) on the token engine: served at once while one
/// refresh runs in the background, and while the token endpoint is down, retried with back-off and never failing a call.
/// </summary>
public sealed class UserTokenRenewalTests : InteropTest
{
    [Test]
    public async Task InRenewalWindow_50ConcurrentCalls_AreServedWithTheValidToken_AndOneRefreshGrantRunsInTheBackground()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var before = await GetApiAsync(alice);
        var mark = InteropServers.Log.Count;

        app.Clock.Advance(WebApp.InRenewalWindow);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => GetApiAsync(alice)));
        await WaitForAsync(() => ProviderLog.RefreshGrants(mark) >= 1, "the background refresh");
        await Task.Delay(500);

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.ApiStatus), Is.All.EqualTo(200));
            Assert.That(results.Select(r => r.TokenJkt), Is.All.EqualTo(before.TokenJkt));
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "one refresh grant for 50 concurrent calls");
        });
    }

    [Test]
    public async Task InRenewalWindow_WithTheTokenEndpointAnswering503_CallsKeepSucceeding_AndRenewalIsRetriedWithBackoff()
    {
        var gate = new TokenEndpointGate { RefuseStatus = HttpStatusCode.ServiceUnavailable };
        await using var app = await WebApp.StartAsync(configureServices: gate.Install);
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        var mark = InteropServers.Log.Count;
        gate.Refuse = kind => kind == "refresh_token" ? "temporarily_unavailable" : null;
        var statuses = new List<int>();
        var attempts = new List<int>();
        async Task CallAsync(TimeSpan advance, bool attempt)
        {
            var before = gate.Refused;
            app.Clock.Advance(advance);
            statuses.Add((await GetApiAsync(alice)).ApiStatus);
            if (attempt)
            {
                await WaitForAsync(() => gate.Refused > before, "the background refresh attempt");
            }

            await Task.Delay(300); // room for an attempt that should not happen
            attempts.Add(gate.Refused);
        }

        await CallAsync(WebApp.InRenewalWindow, attempt: true); // first attempt fails: next one after 1 s
        await CallAsync(TimeSpan.Zero, attempt: false);          // back-off holds
        await CallAsync(TimeSpan.FromSeconds(1), attempt: true); // second attempt fails: next one after 2 s
        await CallAsync(TimeSpan.FromSeconds(1), attempt: false); // back-off holds
        await CallAsync(TimeSpan.FromSeconds(1), attempt: true); // third attempt fails: next one after 4 s
        gate.Refuse = null;
        await CallAsync(TimeSpan.FromSeconds(4), attempt: false); // the endpoint is back: renewed
        await WaitForAsync(() => ProviderLog.RefreshGrants(mark) >= 1, "the renewal after the outage");

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(200), "every call served with the valid token");
            Assert.That(attempts, Is.EqualTo(new[] { 1, 1, 2, 2, 3, 3 }), "refresh grants refused: one per back-off step, none in between");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "renewed once the endpoint answers");
            Assert.That(app.Log.Messages, Has.Some.Contains("DPoP.Http.Tokens[101]"), "the failed early renewal is logged with its back-off");
        });
    }

    [Test]
    public async Task InRenewalWindow_WithTheStoreFailingTheRefreshWrite_TheFailureIsLogged_WithoutTheStoresMessage()
    {
        var store = new UnreliableDistributedCache(new TrackingDistributedCache());
        await using var app = await WebApp.StartAsync(configureServices: services => services.AddSingleton<Microsoft.Extensions.Caching.Distributed.IDistributedCache>(store));
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using (await alice.SignInAsync())
        {
        }

        var mark = InteropServers.Log.Count;
        store.WritesDown = true;
        app.Clock.Advance(WebApp.InRenewalWindow);
        var call = await GetApiAsync(alice);
        await WaitForAsync(() => ProviderLog.RefreshGrants(mark) >= 1, "the background refresh");
        await WaitForAsync(() => app.Log.Messages.Any(m => m.Contains("DPoP.Http.Tokens[101]", StringComparison.Ordinal)), "the failed early renewal's log event");

        Assert.Multiple(() =>
        {
            Assert.That(call.ApiStatus, Is.EqualTo(200), "served with the valid token");
            Assert.That(app.Log.Messages, Has.None.Contains("Key:"), "the store's message (which names the session's key) is never logged");
        });
    }

    private static async Task WaitForAsync(Func<bool> condition, string what)
    {
        for (var i = 0; i < 100 && !condition(); i++)
        {
            await Task.Delay(100);
        }

        Assert.That(condition(), Is.True, $"waited 10 s for {what}");
    }

    private static async Task<ApiResult> GetApiAsync(BrowserUser user)
    {
        using var response = await user.GetAsync("api");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ApiResult.ReadAsync(response);
    }
}

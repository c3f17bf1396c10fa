using System.Net;
using DPoP.Http.InteropTests.AspNetCore.Support;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// The signed-in user's DPoP-bound token on API calls: refreshed once per session under concurrency, rotated
/// refresh tokens kept when the response has started, users never mixed up, a lost or refused session failing
/// with <see cref="DPoP.Http.AspNetCore.DPoPSessionExpiredException"/> and never falling back to Bearer.
/// </summary>
public sealed class UserTokenTests : InteropTest
{
    [Test]
    public async Task Refresh_Under50ConcurrentCallsOfOneSession_SendsExactlyOneRefreshGrant()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var before = await GetApiAsync(alice);
        var mark = InteropServers.Log.Count;

        app.Clock.Advance(WebApp.PastExpiry);
        var results = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => GetApiAsync(alice)));

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.ApiStatus), Is.All.EqualTo(200), string.Join("; ", results.Select(r => r.ApiError).Distinct()));
            Assert.That(results.Select(r => r.TokenJkt), Is.All.EqualTo(before.TokenJkt), "refreshed with the session's own key");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "one refresh grant for 50 concurrent calls");
            Assert.That(ProviderLog.ApiRequests(mark), Is.GreaterThanOrEqualTo(50));
        });
    }

    [Test]
    public async Task Refresh_AfterTheResponseStarted_KeepsTheRotatedRefreshToken()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var mark = InteropServers.Log.Count;

        app.Clock.Advance(WebApp.PastExpiry);
        using var streamedResponse = await alice.GetAsync("api/streamed");
        var streamed = await ApiResult.ReadAsync(streamedResponse);
        app.Clock.Advance(WebApp.PastExpiry);
        var next = await GetApiAsync(alice);

        Assert.Multiple(() =>
        {
            Assert.That(streamed.ResponseStartedBeforeCall, Is.True, "the refresh happened after the response had started");
            Assert.That(streamed.ApiStatus, Is.EqualTo(200), streamed.ApiError);
            Assert.That(next.ApiStatus, Is.EqualTo(200), "the second refresh used the rotated refresh token (oidc-provider refuses a used one)");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(2));
            Assert.That(ProviderLog.Count(mark, "invalid_grant"), Is.Zero);
        });
    }

    [Test]
    public async Task TwoUsersConcurrently_EachCallCarriesOnlyThatUsersToken()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var bob = new BrowserUser("bob", app.BaseAddress);
        using (await alice.SignInAsync())
        using (await bob.SignInAsync())
        {
        }

        var aliceJkt = (await GetApiAsync(alice)).TokenJkt;
        var bobJkt = (await GetApiAsync(bob)).TokenJkt;
        var mark = InteropServers.Log.Count;

        app.Clock.Advance(WebApp.PastExpiry); // both sessions refresh, concurrently, in the middle of it
        var calls = Enumerable.Range(0, 50).Select(i => (User: i % 2 == 0 ? alice : bob, Call: GetApiAsync(i % 2 == 0 ? alice : bob))).ToList();
        await Task.WhenAll(calls.Select(c => c.Call));

        Assert.Multiple(() =>
        {
            Assert.That(aliceJkt, Is.Not.EqualTo(bobJkt), "a key per session");
            foreach (var (user, call) in calls)
            {
                var result = call.Result;
                Assert.That(result.ApiStatus, Is.EqualTo(200), result.ApiError);
                Assert.That(result.User, Is.EqualTo(user.Login));
                Assert.That(result.TokenSubject, Is.EqualTo(user.Login), "the token sent for a user is that user's");
                Assert.That(result.TokenJkt, Is.EqualTo(user == alice ? aliceJkt : bobJkt));
            }

            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(2), "one refresh per session");
        });
    }

    [Test]
    public async Task LostSession_FailsWithSessionExpired_AndSendsNothingToTheApi()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();

        app.Store.Clear(); // an in-memory store after a restart: tokens and key are gone
        var mark = InteropServers.Log.Count;
        using var response = await alice.GetAsync("api");

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("session-expired:SessionNotFound"));
            Assert.That(ProviderLog.ApiRequests(mark), Is.Zero, "no request without the session's token, Bearer or otherwise");
        });
    }

    [Test]
    public async Task RefreshTokenRefused_FailsWithSessionExpired_RefreshTokenRejected()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();

        // Someone else uses the session's refresh token first (with its key): oidc-provider rotates it, and then
        // refuses the app's copy (reuse of a rotated refresh token revokes the grant).
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);
        using var key = DPoPKey.FromJwk(session.PrivateJwk!);
        await WebSignOutTests.CreateTokenClient(key).RefreshTokenAsync(session.RefreshToken!);
        app.Clock.Advance(WebApp.PastExpiry);
        using var response = await alice.GetAsync("api");

        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("session-expired:RefreshTokenRejected"));
    }

    [Test]
    public async Task AccessTokenRejectedByTheApi_IsRefreshedOnce_AndAnEndedGrantEndsTheSession()
    {
        // Opaque tokens, which the resource server introspects, so a revoked one is refused with invalid_token.
        // oidc-provider revokes every token of the grant with it, so the one refresh that follows is refused too.
        await using var app = await WebApp.StartAsync(o => o.Resource = InteropServers.AuthorizationServer.OpaqueResource);
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);
        await RevokeAsync(session.AccessToken, "access_token");
        var mark = InteropServers.Log.Count;

        using var response = await alice.GetAsync("api");

        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("session-expired:RefreshTokenRejected"));
            Assert.That(ProviderLog.Count(mark, "invalid_token: access token is not active"), Is.EqualTo(1), "the API refused the token once");
            Assert.That(ProviderLog.Count(mark, "grant.error POST /token invalid_grant"), Is.EqualTo(1), "one refresh attempt followed");
            Assert.That(ProviderLog.ApiRequests(mark), Is.EqualTo(2), "the nonce challenge and the refused call; no retry without a token");
        });
    }

    private static async Task RevokeAsync(string token, string hint)
    {
        var server = InteropServers.AuthorizationServer;
        using var http = new HttpClient();
        using var response = await http.PostAsync(server.RevocationEndpoint, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["token"] = token,
            ["token_type_hint"] = hint,
            ["client_id"] = server.WebClient.Id,
            ["client_secret"] = server.WebClient.Secret!,
        }));
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), "revoked at oidc-provider");
    }

    private static async Task<ApiResult> GetApiAsync(BrowserUser user)
    {
        using var response = await user.GetAsync("api");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await ApiResult.ReadAsync(response);
    }
}

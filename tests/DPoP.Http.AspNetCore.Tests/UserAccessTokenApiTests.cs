using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text.Json;
using DPoP.Http.AspNetCore;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// <see cref="IDPoPUserAccessTokens"/> and <see cref="DPoPUserScope"/> against oidc-provider and the jose resource
/// server: the user's token and key from a principal captured in a request and used after it, with no HttpContext.
/// </summary>
public sealed class UserAccessTokenApiTests : InteropTest
{
    [Test]
    public async Task GetAccessTokenAsync_ForACapturedPrincipal_ReturnsATokenAndKeyTheResourceServerAccepts()
    {
        await using var app = await WebApp.StartAsync();
        var alice = await SignInAndCaptureAsync(app, "alice");

        using var token = await Tokens(app).GetAccessTokenAsync(alice, WebApp.Scheme);
        var (status, body) = await UserTokenCalls.CallOrdersAsync(token);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body.GetRawText());
            Assert.That(body.GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(body.GetProperty("jkt").GetString(), Is.EqualTo(token.Key.JwkThumbprint), "the token is bound to the key returned with it");
            Assert.That(token.IsDPoPBound, Is.True);
            Assert.That(token.ToString(), Does.Not.Contain(token.AccessToken));
        });
    }

    [Test]
    public async Task RenewAccessTokenAsync_OfAValidToken_SendsExactlyOneRefreshGrant_AndTheHttpClientsUseItsToken()
    {
        await using var app = await WebApp.StartAsync();
        var alice = await SignInAndCaptureAsync(app, "alice");
        using var before = await Tokens(app).GetAccessTokenAsync(alice, WebApp.Scheme);
        var mark = InteropServers.Log.Count;

        using var renewed = await Tokens(app).RenewAccessTokenAsync(alice, WebApp.Scheme);
        using var after = await Tokens(app).GetAccessTokenAsync(alice, WebApp.Scheme);

        Assert.Multiple(() =>
        {
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "one refresh grant for one forced renewal");
            Assert.That(renewed.AccessToken, Is.Not.EqualTo(before.AccessToken));
            Assert.That(after.AccessToken, Is.EqualTo(renewed.AccessToken), "the renewed token is the session's, stored");
            Assert.That(renewed.Key.JwkThumbprint, Is.EqualTo(before.Key.JwkThumbprint), "renewed with the session's own key");
        });
    }

    [Test]
    public async Task EndSessionAsync_RevokesTheRefreshToken_AndTheSessionGetsNoMoreTokens()
    {
        await using var app = await WebApp.StartAsync();
        using var browser = new BrowserUser("alice", app.BaseAddress);
        var alice = await SignInAndCaptureAsync(app, browser);
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);
        var mark = InteropServers.Log.Count;

        await Tokens(app).EndSessionAsync(alice, WebApp.Scheme);

        using var key = DPoPKey.FromJwk(session.PrivateJwk!);
        var refused = Assert.ThrowsAsync<DPoPTokenException>(() => WebSignOutTests.CreateTokenClient(key).RefreshTokenAsync(session.RefreshToken!));
        var expired = Assert.ThrowsAsync<DPoPSessionExpiredException>(() => Tokens(app).GetAccessTokenAsync(alice, WebApp.Scheme));
        using var apiCall = await browser.GetAsync("api");
        Assert.Multiple(async () =>
        {
            Assert.That(ProviderLog.Count(mark, "POST /token/revocation 200"), Is.EqualTo(1), "revoked at the revocation endpoint");
            Assert.That(refused!.Error, Is.EqualTo("invalid_grant"), "the provider refuses the revoked refresh token");
            Assert.That(expired!.Reason, Is.EqualTo(DPoPSessionExpiredReason.SignedOut));
            Assert.That(await apiCall.Content.ReadAsStringAsync(), Is.EqualTo("session-expired:SignedOut"), "the browser's cookie names an ended session");
            Assert.That(app.Store.SessionKeys, Is.Empty, "the session's tokens and key are gone");
        });
    }

    [Test]
    public async Task HttpClient_InADPoPUserScopeOfACapturedPrincipal_CallsTheApiAsThatUser_WithoutHttpContext()
    {
        await using var app = await WebApp.StartAsync();
        var alice = await SignInAndCaptureAsync(app, "alice");
        var accessor = app.Services.GetRequiredService<IHttpContextAccessor>();
        var factory = app.Services.GetRequiredService<IHttpClientFactory>();
        app.Clock.Advance(WebApp.PastExpiry); // and the token is refreshed on the way
        var mark = InteropServers.Log.Count;

        var (hadContext, status, body) = await Task.Run(async () =>
        {
            using var scope = DPoPUserScope.Begin(alice);
            using var response = await factory.CreateClient("api").GetAsync("orders");
            return (accessor.HttpContext is not null, response.StatusCode, await response.Content.ReadAsStringAsync());
        });

        Assert.Multiple(() =>
        {
            Assert.That(hadContext, Is.False, "a background task: no HttpContext");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(JsonDocument.Parse(body).RootElement.GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "refreshed through the session's refresh");
        });
    }

    [Test]
    public async Task HttpClient_WithNeitherHttpContextNorUserScope_ThrowsInvalidOperationException()
    {
        await using var app = await WebApp.StartAsync();
        var factory = app.Services.GetRequiredService<IHttpClientFactory>();

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => factory.CreateClient("api").GetAsync("orders"));

        Assert.That(ex!.Message, Does.Contain("DPoPUserScope").And.Contain("'api'"));
    }

    [Test]
    public async Task GetAccessTokenAsync_ForAPrincipalWithoutSession_ThrowsSessionExpired_NotSignedIn()
    {
        await using var app = await WebApp.StartAsync();

        var ex = Assert.ThrowsAsync<DPoPSessionExpiredException>(() => Tokens(app).GetAccessTokenAsync(new ClaimsPrincipal(new ClaimsIdentity([new Claim("sub", "mallory")], "test")), WebApp.Scheme));

        Assert.That(ex!.Reason, Is.EqualTo(DPoPSessionExpiredReason.NotSignedIn));
    }

    [Test]
    public async Task GetDPoPUserAccessTokenAsync_OfACookieWithoutTheSessionClaim_FindsTheSessionThroughTheRequest()
    {
        // A cookie issued before the session claim existed: its principal lacks the claim, its properties name the session.
        await using var app = await WebApp.StartAsync(o => o.Events.OnTicketReceived = context =>
        {
            var identity = (ClaimsIdentity)context.Principal!.Identity!;
            identity.RemoveClaim(identity.FindFirst(c => c.Type.StartsWith("dpop_session.", StringComparison.Ordinal)));
            return Task.CompletedTask;
        });
        using var browser = new BrowserUser("alice", app.BaseAddress);
        var alice = await SignInAndCaptureAsync(app, browser);
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);
        using var key = DPoPKey.FromJwk(session.PrivateJwk!);

        using var inRequest = await browser.GetAsync("user-token");
        var outsideRequest = Assert.ThrowsAsync<DPoPSessionExpiredException>(() => Tokens(app).GetAccessTokenAsync(alice, WebApp.Scheme));

        Assert.Multiple(async () =>
        {
            Assert.That(alice.Claims.Select(c => c.Type), Has.None.StartWith("dpop_session."), "the claim was removed");
            Assert.That(inRequest.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await inRequest.Content.ReadAsStringAsync(), Is.EqualTo(key.JwkThumbprint), "the session's own key, found from the cookie");
            Assert.That(outsideRequest!.Reason, Is.EqualTo(DPoPSessionExpiredReason.NotSignedIn), "outside its request such a principal names no session");
        });
    }

    [Test]
    public async Task SessionClaim_HoldsNeitherTheSessionIdNorAToken()
    {
        await using var app = await WebApp.StartAsync();
        var alice = await SignInAndCaptureAsync(app, "alice");
        var (sessionId, session) = await WebSignInTests.StoredSessionAsync(app);

        var claim = alice.FindFirst($"dpop_session.{WebApp.Scheme}");

        Assert.Multiple(() =>
        {
            Assert.That(claim, Is.Not.Null, "added at sign-in");
            Assert.That(claim!.Value, Does.Not.Contain(sessionId).And.Not.Contain(session.AccessToken).And.Not.Contain(session.RefreshToken!));
        });
    }

    private static IDPoPUserAccessTokens Tokens(WebApp app) => app.Services.GetRequiredService<IDPoPUserAccessTokens>();

    private static async Task<ClaimsPrincipal> SignInAndCaptureAsync(WebApp app, string login)
    {
        using var user = new BrowserUser(login, app.BaseAddress);
        return await SignInAndCaptureAsync(app, user);
    }

    private static Task<ClaimsPrincipal> SignInAndCaptureAsync(WebApp app, BrowserUser user) => UserTokenCalls.SignInAndCaptureAsync(app, user);
}

using System.Net;
using System.Web;
using DPoP.Http.AspNetCore.Internal;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// Sign-in through oidc-provider with DPoP: the code bound with dpop_jkt (in PAR, and in the plain authorization
/// request), redeemed with a proof, and the user's token accepted by the jose-validated resource server.
/// </summary>
public sealed class WebSignInTests : InteropTest
{
    [Test]
    public async Task SignIn_WithPushedAuthorization_UserTokenIsAcceptedByResourceServer()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        var mark = InteropServers.Log.Count;

        using var signedIn = await alice.SignInAsync();
        using var apiResponse = await alice.GetAsync("api");
        var api = await ApiResult.ReadAsync(apiResponse);

        Assert.Multiple(() =>
        {
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK), "signed in and back at the app's /me");
            Assert.That(alice.AuthorizationRequest!.Query, Does.Contain("request_uri="), "the handler pushed the request (PAR)");
            Assert.That(ProviderLog.Count(mark, "POST /request 201"), Is.EqualTo(1), "one pushed authorization request");
            Assert.That(api.ApiStatus, Is.EqualTo(200), api.ApiError);
            Assert.That(api.User, Is.EqualTo("alice"));
            Assert.That(api.TokenSubject, Is.EqualTo("alice"));
            Assert.That(api.TokenJkt, Is.Not.Null.And.Not.Empty);
        });
    }

    [Test]
    public async Task SignIn_WithoutPar_SendsDPoPJkt_NamingTheKeyTheTokenIsBoundTo()
    {
        await using var app = await WebApp.StartAsync(o => o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable);
        using var alice = new BrowserUser("alice", app.BaseAddress);

        using var signedIn = await alice.SignInAsync();
        using var apiResponse = await alice.GetAsync("api");
        var api = await ApiResult.ReadAsync(apiResponse);
        var query = HttpUtility.ParseQueryString(alice.AuthorizationRequest!.Query);

        Assert.Multiple(() =>
        {
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(query["dpop_jkt"], Is.Not.Null.And.EqualTo(api.TokenJkt), "the code and the token are bound to the same key");
            Assert.That(query["code_challenge_method"], Is.EqualTo("S256"), "PKCE stays on");
            Assert.That(api.ApiStatus, Is.EqualTo(200), api.ApiError);
        });
    }

    [Test]
    public async Task SignIn_WhenDPoPJktIsAlteredOnTheWay_ProviderRefusesTheCodeExchange()
    {
        await using var app = await WebApp.StartAsync(o => o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable);
        using var mallory = new BrowserUser("mallory", app.BaseAddress);
        using var otherKey = DPoPKey.Generate();
        mallory.RewriteAuthorizationRequest = uri => DPoPAuthorizationRequests.AddDPoPJkt(uri, otherKey);
        var mark = InteropServers.Log.Count;

        try
        {
            using var _ = await mallory.SignInAsync();
        }
        catch (HttpRequestException)
        {
            // The app's callback fails (500 or a dropped connection): what matters is the provider's answer.
        }

        using var me = await mallory.GetAsync("me");
        Assert.Multiple(() =>
        {
            Assert.That(ProviderLog.Count(mark, "DPoP proof key thumbprint does not match dpop_jkt"), Is.EqualTo(1), "oidc-provider checked dpop_jkt against the proof");
            Assert.That(me.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "not signed in");
        });
    }

    [Test]
    public async Task SignIn_WithPrivateKeyJwt_AnswersTheNonceChallengeWithAFreshAssertion()
    {
        // oidc-provider refuses a client assertion it has seen (its jti), so the code exchange's nonce retry only
        // passes with a new one.
        var client = InteropServers.AuthorizationServer.WebPrivateKeyJwtClient;
        await using var app = await WebApp.StartWithPrivateKeyJwtAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        var mark = InteropServers.Log.Count;

        using var signedIn = await alice.SignInAsync();
        using var apiResponse = await alice.GetAsync("api");
        var api = await ApiResult.ReadAsync(apiResponse);

        Assert.Multiple(() =>
        {
            Assert.That(signedIn.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ProviderLog.Count(mark, "grant.error POST /token use_dpop_nonce"), Is.EqualTo(1), "the first attempt met the nonce challenge");
            Assert.That(ProviderLog.Count(mark, $"grant.success {client.Id} authorization_code"), Is.EqualTo(1), "the retry, with a new assertion, passed");
            Assert.That(api.ApiStatus, Is.EqualTo(200), api.ApiError);
            Assert.That(api.ClientId, Is.EqualTo(client.Id));
        });
    }

    [Test]
    public async Task SignIn_StoresTokensAndKeyOnlyProtected()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);

        using var _ = await alice.SignInAsync();
        var (sessionId, session) = await StoredSessionAsync(app);
        var raw = System.Text.Encoding.Latin1.GetString((await app.Store.GetAsync(app.Store.Keys.Single()))!);

        Assert.Multiple(() =>
        {
            Assert.That(session.RefreshToken, Is.Not.Null, "a refresh token was issued");
            Assert.That(session.PrivateJwk, Is.Not.Null, "a key of the session's own");
            Assert.That(raw, Does.Not.Contain(session.RefreshToken!).And.Not.Contain(session.AccessToken).And.Not.Contain("\"d\""));
            Assert.That(alice.Cookies.GetAllCookies().Select(c => c.Value), Has.None.Contain(sessionId), "the session id travels only inside the protected cookie");
        });
    }

    /// <summary>A session in the app's store (the only one, or the first), read through the package's own store (tests only).</summary>
    internal static async Task<(string SessionId, UserSession Session)> StoredSessionAsync(WebApp app, string? onlyIfMany = null)
    {
        var key = onlyIfMany is null ? app.Store.SessionKeys.Single() : app.Store.SessionKeys.First();
        var sessionId = key[(key.LastIndexOf(':') + 1)..];
        var session = await app.Services.GetRequiredService<UserSessionStore>().GetAsync(WebApp.Scheme, sessionId, CancellationToken.None);
        return (sessionId, session!);
    }
}

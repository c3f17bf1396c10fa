using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>Sign-out revokes the session's refresh token at oidc-provider (RFC 7009) and drops its tokens and key.</summary>
public sealed class WebSignOutTests : InteropTest
{
    [Test]
    public async Task SignOut_RevokesTheRefreshToken_AndDropsTheSession()
    {
        await using var app = await WebApp.StartAsync();
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);
        var mark = InteropServers.Log.Count;

        using var signedOut = await alice.GetAsync("logout");
        using var key = DPoPKey.FromJwk(session.PrivateJwk!);
        var refused = Assert.ThrowsAsync<DPoPTokenException>(() => CreateTokenClient(key).RefreshTokenAsync(session.RefreshToken!));

        Assert.Multiple(() =>
        {
            Assert.That(ProviderLog.Count(mark, "POST /token/revocation 200"), Is.EqualTo(1), "revoked at the revocation endpoint");
            Assert.That(refused!.Error, Is.EqualTo("invalid_grant"), "the provider refuses the revoked refresh token, even with the session's key");
            Assert.That(app.Store.Keys, Is.Empty, "the session's tokens and key are gone");
        });
    }

    [Test]
    public async Task SignOut_WithPrivateKeyJwt_RevokesTheRefreshToken()
    {
        var client = InteropServers.AuthorizationServer.WebPrivateKeyJwtClient;
        await using var app = await WebApp.StartAsync(
            o =>
            {
                o.ClientId = client.Id;
                o.ClientSecret = null;
                o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable; // the handler's PAR has no private_key_jwt
            },
            o =>
            {
                o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
                o.ClientAssertionKey = client.PrivateJwk;
                o.ClientAssertionKeyId = "interop-private-key-jwt";
            });
        var mark = InteropServers.Log.Count;
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);

        using var signedOut = await alice.GetAsync("logout");
        using var key = DPoPKey.FromJwk(session.PrivateJwk!);
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler() });
        var tokenClient = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = InteropServers.AuthorizationServer.TokenEndpoint,
            ClientId = client.Id,
            ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt,
            ClientAssertionKey = client.PrivateJwk,
            ClientAssertionKeyId = "interop-private-key-jwt",
        });
        var refused = Assert.ThrowsAsync<DPoPTokenException>(() => tokenClient.RefreshTokenAsync(session.RefreshToken!));

        Assert.Multiple(() =>
        {
            Assert.That(ProviderLog.Count(mark, "POST /token/revocation 200"), Is.EqualTo(1), "revoked with a client assertion");
            Assert.That(ProviderLog.Count(mark, "revocation.error"), Is.Zero);
            Assert.That(refused!.Error, Is.EqualTo("invalid_grant"), "the provider refuses the revoked refresh token, even with the session's key");
            Assert.That(app.Store.Keys, Is.Empty, "the session's tokens and key are gone");
        });
    }

    /// <summary>A token client of the web client that signs with <paramref name="key"/>, as the app would.</summary>
    internal static DPoPTokenClient CreateTokenClient(DPoPKey key)
    {
        var server = InteropServers.AuthorizationServer;
        var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler() });
        return new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = server.TokenEndpoint,
            ClientId = server.WebClient.Id,
            ClientSecret = server.WebClient.Secret,
            ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost,
        });
    }
}

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
            Assert.That(app.Store.SessionKeys, Is.Empty, "the session's tokens and key are gone");
        });
    }

    [Test]
    public async Task SignOut_WithPrivateKeyJwt_RevokesTheRefreshToken()
    {
        await using var app = await WebApp.StartWithPrivateKeyJwtAsync();
        var mark = InteropServers.Log.Count;
        using var alice = new BrowserUser("alice", app.BaseAddress);
        using var _ = await alice.SignInAsync();
        var (_, session) = await WebSignInTests.StoredSessionAsync(app);

        using var signedOut = await alice.GetAsync("logout");
        using var key = DPoPKey.FromJwk(session.PrivateJwk!);
        var refused = Assert.ThrowsAsync<DPoPTokenException>(() => CreateTokenClient(key, privateKeyJwt: true).RefreshTokenAsync(session.RefreshToken!));

        Assert.Multiple(() =>
        {
            Assert.That(ProviderLog.Count(mark, "POST /token/revocation 200"), Is.EqualTo(1), "revoked with a client assertion");
            Assert.That(ProviderLog.Count(mark, "revocation.error"), Is.Zero);
            Assert.That(refused!.Error, Is.EqualTo("invalid_grant"), "the provider refuses the revoked refresh token, even with the session's key");
            Assert.That(app.Store.SessionKeys, Is.Empty, "the session's tokens and key are gone");
        });
    }

    /// <summary>A token client of the web client (or of the private_key_jwt one) that signs with <paramref name="key"/>, as the app would.</summary>
    internal static DPoPTokenClient CreateTokenClient(DPoPKey key, bool privateKeyJwt = false)
    {
        var server = InteropServers.AuthorizationServer;
        var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler() });
        return new DPoPTokenClient(http, privateKeyJwt
            ? new DPoPTokenClientOptions
            {
                TokenEndpoint = server.TokenEndpoint,
                ClientId = server.WebPrivateKeyJwtClient.Id,
                ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt,
                ClientAssertionKey = server.WebPrivateKeyJwtClient.PrivateJwk,
                ClientAssertionKeyId = WebApp.PrivateKeyJwtKeyId,
            }
            : new DPoPTokenClientOptions
            {
                TokenEndpoint = server.TokenEndpoint,
                ClientId = server.WebClient.Id,
                ClientSecret = server.WebClient.Secret,
                ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost,
            });
    }
}

using DPoP.Http.InteropTests.Support;

namespace DPoP.Http.InteropTests;

/// <summary>
/// The token endpoint of panva's oidc-provider, which demands a DPoP nonce on every token request (400
/// use_dpop_nonce first) and binds the tokens it issues to the proof's key (cnf.jkt).
/// </summary>
public sealed class TokenEndpointTests : InteropTest
{
    [Test]
    public Task ClientCredentials_ClientSecretBasic_RetriesNonceChallengeAndBindsTokenToKey() =>
        AssertClientCredentialsAsync(InteropServers.AuthorizationServer.BasicClient);

    [Test]
    public Task ClientCredentials_ClientSecretPost_RetriesNonceChallengeAndBindsTokenToKey() =>
        AssertClientCredentialsAsync(InteropServers.AuthorizationServer.PostClient);

    [Test]
    public async Task ClientCredentials_SecondRequest_UsesStoredNonceWithoutChallenge()
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients("token-nonce-reuse");
        await clients.RequestTokenAsync(server.BasicClient, server.JwtResource);
        clients.TokenExchanges.Clear();

        await clients.RequestTokenAsync(server.PostClient, server.JwtResource);

        var attempts = clients.TokenExchanges.All;
        Assert.Multiple(() =>
        {
            Assert.That(attempts, Has.Count.EqualTo(1), clients.TokenExchanges.ToString());
            Assert.That(attempts[0].Status, Is.EqualTo(200));
            Assert.That(attempts[0].Proof?.Nonce, Is.Not.Null, "the nonce from the first token response was kept for the origin");
        });
    }

    private static async Task AssertClientCredentialsAsync(OAuthClient client)
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients($"token-{client.AuthMethod}");
        var key = await clients.GetKeyAsync(clients.TokenKeyName);

        var jwtToken = await clients.RequestTokenAsync(client, server.JwtResource);
        var attempts = clients.TokenExchanges.All;
        var opaqueToken = await clients.RequestTokenAsync(client, server.OpaqueResource);

        var header = JwtParts.Header(jwtToken.AccessToken);
        var claims = JwtParts.Payload(jwtToken.AccessToken);
        // oidc-provider refuses to introspect JWT access tokens ("Structured JWT Tokens cannot be introspected"), so
        // the binding as introspection reports it is checked on the opaque token issued to the same key.
        var introspection = await ServerCalls.IntrospectAsync(opaqueToken.AccessToken);

        Assert.Multiple(() =>
        {
            // RFC 9449 §8: the first attempt is refused for want of a nonce, the retry carries it.
            Assert.That(attempts, Has.Count.EqualTo(2), clients.TokenExchanges.ToString());
            Assert.That(attempts[0].Status, Is.EqualTo(400));
            Assert.That(attempts[0].Error, Is.EqualTo("use_dpop_nonce"));
            Assert.That(attempts[0].Proof?.Nonce, Is.Null);
            Assert.That(attempts[1].Status, Is.EqualTo(200));
            Assert.That(attempts[1].Proof?.Nonce, Is.Not.Null);
            Assert.That(attempts.Select(a => a.DPoPHeaderCount), Is.All.EqualTo(1));
            Assert.That(attempts.Select(a => a.Proof?.Ath), Is.All.Null, "no ath at the token endpoint");
            Assert.That(attempts.Select(a => a.Proof?.Htu), Is.All.EqualTo(server.TokenEndpoint.AbsoluteUri));

            Assert.That(jwtToken.TokenType, Is.EqualTo("DPoP"));
            Assert.That(opaqueToken.TokenType, Is.EqualTo("DPoP"));
            Assert.That(jwtToken.Scope, Is.EqualTo(server.Scope));

            Assert.That(header.GetProperty("typ").GetString(), Is.EqualTo("at+jwt"));
            Assert.That(claims.GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(claims.GetProperty("client_id").GetString(), Is.EqualTo(client.Id));
            Assert.That(claims.GetProperty("aud").GetString(), Is.EqualTo(server.JwtResource));
            Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo(server.Issuer.OriginalString));

            Assert.That(introspection.GetProperty("active").GetBoolean(), Is.True);
            Assert.That(introspection.GetProperty("token_type").GetString(), Is.EqualTo("DPoP"));
            Assert.That(introspection.GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(introspection.GetProperty("client_id").GetString(), Is.EqualTo(client.Id));
        });
    }
}

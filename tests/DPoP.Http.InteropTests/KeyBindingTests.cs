using System.Net;
using System.Text.Json;
using DPoP.Http.InteropTests.Support;

namespace DPoP.Http.InteropTests;

/// <summary>Each key name gets its own key and so its own token binding; a token only passes with its own key.</summary>
public sealed class KeyBindingTests : InteropTest
{
    [Test]
    public async Task TwoKeyNames_TokensBoundToTheirOwnKeys()
    {
        var server = InteropServers.AuthorizationServer;
        using var first = new InteropClients("binding-first");
        using var second = new InteropClients("binding-second");
        var firstKey = await first.GetKeyAsync(first.TokenKeyName);
        var secondKey = await second.GetKeyAsync(second.TokenKeyName);

        var firstJkt = JwtParts.Payload((await first.RequestTokenAsync(server.BasicClient, server.JwtResource)).AccessToken).GetProperty("cnf").GetProperty("jkt").GetString();
        var secondJkt = JwtParts.Payload((await second.RequestTokenAsync(server.BasicClient, server.JwtResource)).AccessToken).GetProperty("cnf").GetProperty("jkt").GetString();

        Assert.Multiple(() =>
        {
            Assert.That(firstKey.JwkThumbprint, Is.Not.EqualTo(secondKey.JwkThumbprint));
            Assert.That(firstJkt, Is.EqualTo(firstKey.JwkThumbprint));
            Assert.That(secondJkt, Is.EqualTo(secondKey.JwkThumbprint));
        });
    }

    [TestCase(TokenFormat.Jwt)]
    [TestCase(TokenFormat.Opaque)]
    public async Task TokenUsedWithAnotherKey_RejectedByResourceServer_PassesWithItsOwnKey(TokenFormat format)
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients(tokenKeyName: "binding-owner", apiKeyName: "binding-thief");
        var owner = await clients.GetKeyAsync(clients.TokenKeyName);
        var thief = await clients.GetKeyAsync(clients.ApiKeyName);
        var token = (await clients.RequestTokenAsync(server.BasicClient, format == TokenFormat.Jwt ? server.JwtResource : server.OpaqueResource)).AccessToken;

        using var stolen = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(token);
        var (status, body, headers) = await clients.SendToApiAsync(stolen);
        var attempts = clients.ApiExchanges.All;

        // The same token through the token client, which signs with the owner's key, passes.
        using var legitimate = new HttpRequestMessage(HttpMethod.Get, new Uri(InteropServers.ResourceServer, "orders")).SetDPoPAccessToken(token);
        var (ownerStatus, ownerBody) = await clients.SendWithTokenClientAsync(legitimate);

        Assert.Multiple(() =>
        {
            Assert.That(owner.JwkThumbprint, Is.Not.EqualTo(thief.JwkThumbprint));
            Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), body);
            Assert.That(headers.WwwAuthenticate.Select(h => h.Scheme), Does.Contain("DPoP"));
            Assert.That(attempts[^1].Error, Is.AnyOf("invalid_token", "invalid_dpop_proof"), clients.ApiExchanges.ToString());
            Assert.That(attempts[^1].ErrorDescription, Does.Contain("cnf.jkt"));
            Assert.That(attempts.Count(a => a.Error == "use_dpop_nonce"), Is.LessThanOrEqualTo(1));
            Assert.That(ownerStatus, Is.EqualTo(HttpStatusCode.OK), ownerBody);
        });

        if (format == TokenFormat.Opaque)
        {
            // What the resource server learnt from oidc-provider's introspection: the token is the owner's.
            var introspection = await ServerCalls.IntrospectAsync(token);
            Assert.That(introspection.GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(owner.JwkThumbprint));
        }
    }

    public enum TokenFormat
    {
        Jwt,
        Opaque,
    }
}

using System.Net;
using System.Text.Json;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The discovery document and the JWKS.</summary>
public sealed class DiscoveryTests
{
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync();
        _client = new DemoServerClient(_server);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Discovery_NamesEveryEndpointAndWhatTheyNeed()
    {
        using var response = await _client.Http.GetAsync(_server.MetadataAddress);
        var document = await DemoServerClient.ReadJsonAsync(response);
        string Get(string name) => document.GetProperty(name).GetString()!;
        string[] Array(string name) => [.. document.GetProperty(name).EnumerateArray().Select(e => e.GetString()!)];

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(_server.MetadataAddress.AbsoluteUri, Is.EqualTo(_server.BaseAddress + ".well-known/openid-configuration"));
            Assert.That(Get("issuer"), Is.EqualTo(_server.Issuer));
            Assert.That(Get("authorization_endpoint"), Is.EqualTo(_server.AuthorizationEndpoint.AbsoluteUri));
            Assert.That(Get("token_endpoint"), Is.EqualTo(_server.TokenEndpoint.AbsoluteUri));
            Assert.That(Get("jwks_uri"), Is.EqualTo(_server.JwksUri.AbsoluteUri));
            Assert.That(Get("pushed_authorization_request_endpoint"), Is.EqualTo(_server.PushedAuthorizationRequestEndpoint.AbsoluteUri));
            Assert.That(Get("revocation_endpoint"), Is.EqualTo(_server.RevocationEndpoint.AbsoluteUri));
            Assert.That(Get("end_session_endpoint"), Is.EqualTo(_server.EndSessionEndpoint.AbsoluteUri));
            Assert.That(document.GetProperty("require_pushed_authorization_requests").GetBoolean(), Is.False);
            Assert.That(Array("response_types_supported"), Is.EqualTo(new[] { "code" }));
            Assert.That(Array("response_modes_supported"), Is.EqualTo(new[] { "query", "form_post" }));
            Assert.That(Array("code_challenge_methods_supported"), Is.EqualTo(new[] { "S256" }));
            Assert.That(Array("grant_types_supported"), Is.EquivalentTo(new[] { "authorization_code", "refresh_token", "client_credentials" }));
            Assert.That(Array("id_token_signing_alg_values_supported"), Is.EqualTo(new[] { "RS256" }));
            Assert.That(Array("dpop_signing_alg_values_supported"), Does.Contain("ES256").And.Contain("PS256"));
        });
    }

    [Test]
    public async Task Jwks_HasTheTwoSigningKeysWithPublicMembersOnly()
    {
        var jwks = await DemoServerClient.ReadJsonAsync(await _client.Http.GetAsync(_server.JwksUri));
        var keys = jwks.GetProperty("keys").EnumerateArray().ToList();
        var privateMembers = new[] { "d", "p", "q", "dp", "dq", "qi", "k" };

        Assert.Multiple(() =>
        {
            Assert.That(keys.Select(k => k.GetProperty("alg").GetString()), Is.EquivalentTo(new[] { "RS256", "ES256" }));
            Assert.That(keys.All(k => k.GetProperty("kid").GetString()!.Length > 0), Is.True);
            Assert.That(keys.SelectMany(k => k.EnumerateObject()).Select(p => p.Name), Has.None.AnyOf(privateMembers));
        });
    }

    [Test]
    public async Task Jwks_AccessTokenKeyIdMatchesTheTokens()
    {
        using var key = DPoPKey.Generate();
        var token = await _client.GetAccessTokenAsync(key);
        var jwks = await DemoServerClient.ReadJsonAsync(await _client.Http.GetAsync(_server.JwksUri));

        Assert.That(jwks.GetProperty("keys").EnumerateArray().Select(k => k.GetProperty("kid").GetString()), Does.Contain(Jwt.Header(token).GetProperty("kid").GetString()));
    }

    [Test]
    public async Task Discovery_PushedRequestsRequired_SaysSo()
    {
        await using var server = await DemoServer.StartAsync(new DemoServerOptions { RequirePushedAuthorizationRequests = true });
        using var client = new DemoServerClient(server);

        var document = await DemoServerClient.ReadJsonAsync(await client.Http.GetAsync(server.MetadataAddress));

        Assert.That(document.GetProperty("require_pushed_authorization_requests").ValueKind, Is.EqualTo(JsonValueKind.True));
    }
}

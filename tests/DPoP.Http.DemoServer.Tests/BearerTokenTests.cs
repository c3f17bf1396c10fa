using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary><see cref="DemoServerOptions.IssueBearerTokens"/>: a server that ignores DPoP, for negative tests of clients.</summary>
[Category("Integration")]
public sealed class BearerTokenTests
{
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;

    private Uri Orders => new(_server.ApiBaseAddress, "orders");

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync(new DemoServerOptions { IssueBearerTokens = true });
        _client = new DemoServerClient(_server);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Token_IssueBearerTokens_ReturnsBearerTokenWithoutCnf()
    {
        using var key = DPoPKey.Generate();
        var nonce = await _client.GetTokenNonceAsync();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("Bearer"));
            Assert.That(Jwt.Payload(body.GetProperty("access_token").GetString()!).TryGetProperty("cnf", out _), Is.False);
        });
    }

    [Test]
    public async Task Resource_UnboundTokenWithDPoPScheme_Returns401InvalidToken()
    {
        using var key = DPoPKey.Generate();
        var token = await _client.GetAccessTokenAsync(key);
        var nonce = await _client.GetResourceNonceAsync();

        using var response = await _client.SendResourceAsync(key, token, HttpMethod.Get, Orders, nonce);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"invalid_token\"").And.Contain("not DPoP-bound"));
        });
    }

    [Test]
    public async Task Resource_UnboundTokenWithBearerScheme_Returns401InvalidToken()
    {
        using var key = DPoPKey.Generate();
        var token = await _client.GetAccessTokenAsync(key);

        using var response = await _client.SendResourceAsync(HttpMethod.Get, Orders, "Bearer", token, null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"invalid_token\"").And.Contain("Bearer tokens are not accepted"));
        });
    }
}

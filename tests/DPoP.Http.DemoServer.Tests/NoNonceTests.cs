using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>A server that requires no nonces: proofs without one are accepted and no DPoP-Nonce is handed out.</summary>
[Category("Integration")]
public sealed class NoNonceTests
{
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync(new DemoServerOptions { RequireNonceAtTokenEndpoint = false, RequireNonceAtResource = false });
        _client = new DemoServerClient(_server);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task TokenAndResource_WithoutNonce_SucceedWithoutNonceHeaders()
    {
        using var key = DPoPKey.Generate();
        using var tokenResponse = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint));
        var token = (await DemoServerClient.ReadJsonAsync(tokenResponse)).GetProperty("access_token").GetString()!;
        var uri = new Uri(_server.ApiBaseAddress, "orders");

        using var resourceResponse = await _client.SendResourceAsync(key, token, HttpMethod.Get, uri, nonce: null);

        Assert.Multiple(() =>
        {
            Assert.That(tokenResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(resourceResponse.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DemoServerClient.NonceOf(tokenResponse), Is.Null);
            Assert.That(DemoServerClient.NonceOf(resourceResponse), Is.Null);
            Assert.That(_server.Statistics.NonceChallenges, Is.Zero);
        });
    }

    [Test]
    public async Task Token_ProofWithUnknownNonce_IsAcceptedWhenNoncesAreOff()
    {
        using var key = DPoPKey.Generate();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, "anything"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}

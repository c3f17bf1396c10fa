using System.Net;
using DPoP.Http.DemoServer.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Everything that depends on the server's clock, driven by a <see cref="FakeTimeProvider"/> in the options.</summary>
[Category("Integration")]
public sealed class ServerClockTests
{
    private FakeTimeProvider _time = null!;
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;
    private DPoPKey _key = null!;

    [SetUp]
    public async Task StartServer()
    {
        // One server per test: each test moves the clock.
        _time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        _server = await DemoServer.StartAsync(new DemoServerOptions { TimeProvider = _time });
        _client = new DemoServerClient(_server);
        _key = DPoPKey.Generate();
    }

    [TearDown]
    public async Task StopServer()
    {
        _key.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Token_ProofIatOlderThanProofLifetime_Returns400IatTooOld()
    {
        var nonce = await _client.GetTokenNonceAsync();
        var proof = DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce, _time);
        _time.Advance(TimeSpan.FromSeconds(61));

        using var response = await _client.PostTokenAsync(proof);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await DemoServerClient.ErrorDescriptionOf(response), Is.EqualTo("iat too old"));
        });
    }

    [Test]
    public async Task Token_ProofIatWithinProofLifetime_IsAccepted()
    {
        var nonce = await _client.GetTokenNonceAsync();
        var proof = DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce, _time);
        _time.Advance(TimeSpan.FromSeconds(50));

        using var response = await _client.PostTokenAsync(proof);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Token_ProofFromClockAheadOfServer_Returns400IatInTheFuture()
    {
        var nonce = await _client.GetTokenNonceAsync();
        var clientClock = new FakeTimeProvider(_time.GetUtcNow().AddMinutes(5));

        using var response = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce, clientClock));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await DemoServerClient.ErrorDescriptionOf(response), Is.EqualTo("iat in the future"));
        });
    }

    [Test]
    public async Task Token_NonceOneLifetimeOld_IsStillAccepted()
    {
        var nonce = await _client.GetTokenNonceAsync();
        _time.Advance(TimeSpan.FromSeconds(61));

        using var response = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce, _time));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.EqualTo(nonce), "the nonce rotated");
        });
    }

    [Test]
    public async Task Token_NonceTwoLifetimesOld_Returns400UseDpopNonce()
    {
        var nonce = await _client.GetTokenNonceAsync();
        _time.Advance(TimeSpan.FromSeconds(121));

        using var response = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce, _time));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("use_dpop_nonce"));
        });
    }

    [Test]
    public async Task Resource_NonceTwoLifetimesOld_Returns401UseDpopNonce()
    {
        var token = await GetTokenAsync();
        var nonce = await _client.GetResourceNonceAsync();
        _time.Advance(TimeSpan.FromSeconds(121));
        var uri = new Uri(_server.ApiBaseAddress, "orders");

        using var response = await _client.SendResourceAsync(HttpMethod.Get, uri, "DPoP", token, DPoPProof.Create(_key, HttpMethod.Get, uri, token, nonce, _time));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"use_dpop_nonce\""));
        });
    }

    [Test]
    public async Task Resource_ExpiredAccessToken_Returns401InvalidToken()
    {
        var token = await GetTokenAsync();
        _time.Advance(TimeSpan.FromMinutes(5) + TimeSpan.FromSeconds(1));
        var nonce = await _client.GetResourceNonceAsync();
        var uri = new Uri(_server.ApiBaseAddress, "orders");

        using var response = await _client.SendResourceAsync(HttpMethod.Get, uri, "DPoP", token, DPoPProof.Create(_key, HttpMethod.Get, uri, token, nonce, _time));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"invalid_token\"").And.Contain("access token expired"));
        });
    }

    [Test]
    public async Task Token_IssuedAt_FollowsServerClock()
    {
        var token = await GetTokenAsync();

        Assert.That(Jwt.Payload(token).GetProperty("iat").GetInt64(), Is.EqualTo(_time.GetUtcNow().ToUnixTimeSeconds()));
    }

    private async Task<string> GetTokenAsync()
    {
        var nonce = await _client.GetTokenNonceAsync();
        using var response = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce, _time));
        return (await DemoServerClient.ReadJsonAsync(response)).GetProperty("access_token").GetString()!;
    }
}

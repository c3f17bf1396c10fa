using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary><see cref="DemoServer.RotateNonces"/>: the current and the previous nonce are accepted, older ones are not.</summary>
public sealed class NonceRotationTests
{
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;
    private DPoPKey _key = null!;
    private string _token = null!;

    private Uri Orders => new(_server.ApiBaseAddress, "orders");

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync();
        _client = new DemoServerClient(_server);
        _key = DPoPKey.Generate();
        _token = await _client.GetAccessTokenAsync(_key);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _key.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task RotateNonces_Once_PreviousTokenNonceStillAccepted()
    {
        var nonce = await _client.GetTokenNonceAsync();
        _server.RotateNonces();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.EqualTo(nonce));
        });
    }

    [Test]
    public async Task RotateNonces_Twice_OldTokenNonceRejected()
    {
        var nonce = await _client.GetTokenNonceAsync();
        _server.RotateNonces();
        _server.RotateNonces();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));
        var fresh = DemoServerClient.NonceOf(response);
        using var retry = await _client.PostTokenAsync(DPoPProof.Create(_key, HttpMethod.Post, _server.TokenEndpoint, null, fresh));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("use_dpop_nonce"));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the nonce of the challenge works");
        });
    }

    [Test]
    public async Task RotateNonces_Once_PreviousResourceNonceStillAccepted()
    {
        var nonce = await _client.GetResourceNonceAsync();
        _server.RotateNonces();

        using var response = await _client.SendResourceAsync(_key, _token, HttpMethod.Get, Orders, nonce);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RotateNonces_Twice_OldResourceNonceRejected()
    {
        var nonce = await _client.GetResourceNonceAsync();
        _server.RotateNonces();
        _server.RotateNonces();

        using var response = await _client.SendResourceAsync(_key, _token, HttpMethod.Get, Orders, nonce);
        var fresh = DemoServerClient.NonceOf(response);
        using var retry = await _client.SendResourceAsync(_key, _token, HttpMethod.Get, Orders, fresh);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"use_dpop_nonce\""));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the nonce of the challenge works");
        });
    }
}

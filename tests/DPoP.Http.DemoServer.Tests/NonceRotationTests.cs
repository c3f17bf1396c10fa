using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary><see cref="DemoServer.RotateNonces"/>: the current and the previous nonce are accepted, older ones are not.</summary>
[Category("Integration")]
public sealed class NonceRotationTests : TokenHolderFixture
{
    [Test]
    public async Task RotateNonces_Once_PreviousTokenNonceStillAccepted()
    {
        var nonce = await Client.GetTokenNonceAsync();
        Server.RotateNonces();

        using var response = await Client.PostTokenAsync(DPoPProof.Create(Key, HttpMethod.Post, Server.TokenEndpoint, null, nonce));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.EqualTo(nonce));
        });
    }

    [Test]
    public async Task RotateNonces_Twice_OldTokenNonceRejected()
    {
        var nonce = await Client.GetTokenNonceAsync();
        Server.RotateNonces();
        Server.RotateNonces();

        using var response = await Client.PostTokenAsync(DPoPProof.Create(Key, HttpMethod.Post, Server.TokenEndpoint, null, nonce));
        var fresh = DemoServerClient.NonceOf(response);
        using var retry = await Client.PostTokenAsync(DPoPProof.Create(Key, HttpMethod.Post, Server.TokenEndpoint, null, fresh));

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
        var nonce = await Client.GetResourceNonceAsync();
        Server.RotateNonces();

        using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Get, Orders, nonce);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task RotateNonces_Twice_OldResourceNonceRejected()
    {
        var nonce = await Client.GetResourceNonceAsync();
        Server.RotateNonces();
        Server.RotateNonces();

        using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Get, Orders, nonce);
        var fresh = DemoServerClient.NonceOf(response);
        using var retry = await Client.SendResourceAsync(Key, Token, HttpMethod.Get, Orders, fresh);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"use_dpop_nonce\""));
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the nonce of the challenge works");
        });
    }
}

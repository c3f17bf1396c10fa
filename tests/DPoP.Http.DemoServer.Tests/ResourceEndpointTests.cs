using System.Net;
using System.Text;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The resource server with default options: DPoP-bound tokens, proofs with ath, resource nonces.</summary>
[Category("Integration")]
public sealed class ResourceEndpointTests : TokenHolderFixture
{
    [Test]
    public async Task Resource_WithoutNonce_Returns401UseDpopNonceWithFreshNonce()
    {
        using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Get, Orders, nonce: null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.StartWith("DPoP ")
                .And.Contain("error=\"use_dpop_nonce\"")
                .And.Contain("error_description=\"Resource server requires nonce in DPoP proof\""));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.Null.And.Match("^[A-Za-z0-9_-]{22}$"));
            Assert.That(Server.Events.Last(e => e.Kind == DemoServerEventKinds.NonceChallenge).StatusCode, Is.EqualTo(401));
        });
    }

    [Test]
    public async Task Resource_NonceChallengeThenRetry_Returns200AndEchoesPostBody()
    {
        const string payload = "{\"item\":\"ünïcødé\",\"qty\":3}";
        using var challenge = await Client.SendResourceAsync(Key, Token, HttpMethod.Post, Orders, nonce: null);
        var nonce = DemoServerClient.NonceOf(challenge)!;
        var uri = new Uri(Orders, "?page=2");
        var acceptedBefore = Server.Statistics.ResourceRequestsAccepted;

        using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Post, uri, nonce, new StringContent(payload, Encoding.UTF8, "application/json"));
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("method").GetString(), Is.EqualTo("POST"));
            Assert.That(body.GetProperty("path").GetString(), Is.EqualTo("/api/orders"));
            Assert.That(body.GetProperty("query").GetString(), Is.EqualTo("?page=2"));
            Assert.That(body.GetProperty("jkt").GetString(), Is.EqualTo(Key.JwkThumbprint));
            Assert.That(body.GetProperty("client_id").GetString(), Is.EqualTo(DemoServerClient.ClientId));
            Assert.That(body.GetProperty("body").GetString(), Is.EqualTo(payload));
            Assert.That(body.GetProperty("bodyLength").GetInt64(), Is.EqualTo(Encoding.UTF8.GetByteCount(payload)));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.Null, "successful responses carry the nonce too");
            Assert.That(Server.Statistics.ResourceRequestsAccepted, Is.EqualTo(acceptedBefore + 1));
        });
    }

    [TestCase("GET")]
    [TestCase("PUT")]
    [TestCase("DELETE")]
    [TestCase("PATCH")]
    [TestCase("OPTIONS")]
    public async Task Resource_AnyMethod_IsAccepted(string method)
    {
        var nonce = await Client.GetResourceNonceAsync();
        var uri = new Uri(Server.ApiBaseAddress, "deep/path/item-1");

        using var response = await Client.SendResourceAsync(Key, Token, new HttpMethod(method), uri, nonce);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("method").GetString(), Is.EqualTo(method));
            Assert.That(body.GetProperty("path").GetString(), Is.EqualTo("/api/deep/path/item-1"));
        });
    }

    [Test]
    public async Task Resource_BodyOver64KB_ReportsFullLengthAndEchoesFirst64KB()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var payload = new string('a', 100_000);

        using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Put, Orders, nonce, new StringContent(payload));
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("bodyLength").GetInt64(), Is.EqualTo(100_000));
            Assert.That(body.GetProperty("body").GetString(), Has.Length.EqualTo(64 * 1024));
        });
    }

    [Test]
    public async Task Resource_LowercaseDpopScheme_IsAccepted()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(Key, HttpMethod.Get, Orders, Token, nonce);

        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "dpop", Token, proof);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Resource_NoAuthorization_Returns401WithDPoPAlgsChallenge()
    {
        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, null, null, null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Is.EqualTo("DPoP algs=\"ES256 ES384 ES512 RS256 RS384 RS512 PS256 PS384 PS512\""));
        });
    }

    [Test]
    public async Task Resource_BasicScheme_Returns401BareDPoPChallenge()
    {
        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "Basic", "ZGVtbzpkZW1v", null);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.StartWith("DPoP algs=").And.Not.Contain("error="));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.Empty);
            Assert.That(Server.Events.Last(e => e.Kind == DemoServerEventKinds.Rejected).Detail, Is.EqualTo("unsupported authorization scheme"));
        });
    }

    [Test]
    public async Task Resource_BoundTokenWithBearerScheme_Returns401InvalidToken()
    {
        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "Bearer", Token, null);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.Contain("error=\"invalid_token\"")
                .And.Contain("DPoP-bound token presented with the Bearer scheme"));
        });
    }

    [Test]
    public async Task Resource_MissingProof_Returns401InvalidDpopProof()
    {
        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, null);

        AssertChallenge(response, "invalid_dpop_proof", "missing DPoP header");
    }

    [Test]
    public async Task Resource_TwoProofs_Returns401InvalidDpopProof()
    {
        var nonce = await Client.GetResourceNonceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Get, Orders);
        request.Headers.TryAddWithoutValidation("Authorization", "DPoP " + Token);
        request.Headers.TryAddWithoutValidation("DPoP", new[]
        {
            DPoPProof.Create(Key, HttpMethod.Get, Orders, Token, nonce),
            DPoPProof.Create(Key, HttpMethod.Get, Orders, Token, nonce),
        });

        using var response = await Client.Http.SendAsync(request);

        AssertChallenge(response, "invalid_dpop_proof", "multiple DPoP headers");
    }

    [Test]
    public async Task Resource_ProofWithoutAth_Returns401InvalidDpopProof()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(Key, HttpMethod.Get, Orders, null, nonce);

        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, proof);

        AssertChallenge(response, "invalid_dpop_proof", "ath missing");
    }

    [Test]
    public async Task Resource_AthOfAnotherToken_Returns401InvalidDpopProof()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var otherToken = await Client.GetAccessTokenAsync(Key);
        var proof = DPoPProof.Create(Key, HttpMethod.Get, Orders, otherToken, nonce);

        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, proof);

        AssertChallenge(response, "invalid_dpop_proof", "ath mismatch");
    }

    [Test]
    public async Task Resource_ProofSignedByAnotherKey_Returns401InvalidToken()
    {
        using var otherKey = DPoPKey.Generate();
        var nonce = await Client.GetResourceNonceAsync();

        using var response = await Client.SendResourceAsync(otherKey, Token, HttpMethod.Get, Orders, nonce);

        AssertChallenge(response, "invalid_token", "jwk thumbprint does not match cnf.jkt");
    }

    [Test]
    public async Task Resource_TamperedToken_Returns401InvalidToken()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var claims = Jwt.Payload(Token).ToString().Replace(DemoServerClient.ClientId, "admin-client", StringComparison.Ordinal);
        var tampered = Jwt.WithPayload(Token, claims);

        using var response = await Client.SendResourceAsync(Key, tampered, HttpMethod.Get, Orders, nonce);

        AssertChallenge(response, "invalid_token", "access token signature");
    }

    [Test]
    public async Task Resource_ProofForAnotherPath_Returns401HtuMismatch()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(Key, HttpMethod.Get, new Uri(Server.ApiBaseAddress, "customers"), Token, nonce);

        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, proof);

        AssertChallenge(response, "invalid_dpop_proof", "htu mismatch");
    }

    [Test]
    public async Task Resource_ProofForAnotherMethod_Returns401HtmMismatch()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(Key, HttpMethod.Get, Orders, Token, nonce);

        using var response = await Client.SendResourceAsync(HttpMethod.Delete, Orders, "DPoP", Token, proof);

        AssertChallenge(response, "invalid_dpop_proof", "htm mismatch");
    }

    [Test]
    public async Task Resource_SameProofTwice_SecondIsRejectedAsReplay()
    {
        var nonce = await Client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(Key, HttpMethod.Get, Orders, Token, nonce);

        using var first = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, proof);
        using var second = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, proof);

        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        AssertChallenge(second, "invalid_dpop_proof", "jti replay");
    }

    [Test]
    public async Task Resource_TokenEndpointNonce_Returns401UseDpopNonce()
    {
        var tokenNonce = await Client.GetTokenNonceAsync();

        using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Get, Orders, tokenNonce);

        AssertChallenge(response, "use_dpop_nonce", "Resource server requires nonce in DPoP proof");
    }

    private static void AssertChallenge(HttpResponseMessage response, string error, string descriptionStart)
    {
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.StartWith("DPoP ")
                .And.Contain($"error=\"{error}\"")
                .And.Contain($"error_description=\"{descriptionStart}"));
        });
    }
}

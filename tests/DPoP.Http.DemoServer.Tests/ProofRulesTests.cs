using System.Net;
using System.Text.Json.Nodes;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>
/// Each rule of RFC 9449 §4.3, broken one at a time in hand-made proofs sent to the token endpoint. The server
/// here requires no token-endpoint nonce, so every refusal is the rule under test.
/// </summary>
[Category("Integration")]
public sealed class ProofRulesTests
{
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;
    private HandmadeProofSigner _signer = null!;

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync(new DemoServerOptions { RequireNonceAtTokenEndpoint = false });
        _client = new DemoServerClient(_server);
        _signer = new HandmadeProofSigner();
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _signer.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task HandmadeProof_AllRulesMet_IsAccepted()
    {
        var proof = _signer.Sign(_signer.Header(), Payload());

        using var response = await _client.PostTokenAsync(proof);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Proof_NotACompactJws_IsRejectedAsMalformed()
    {
        await AssertRejectedAsync("not-a-jws", "malformed JWS");
    }

    [Test]
    public async Task Proof_HeaderNotJson_IsRejectedAsMalformed()
    {
        await AssertRejectedAsync(_signer.SignRaw("{\"typ\":", Payload().ToJsonString()), "malformed JWS");
    }

    [Test]
    public async Task Proof_DuplicateHeaderMember_IsRejectedAsMalformed()
    {
        // Two typ members: a parser that keeps the last one would see dpop+jwt, one that keeps the first would see JWT.
        var json = $"{{\"typ\":\"JWT\",\"typ\":\"dpop+jwt\",\"alg\":\"ES256\",\"jwk\":{_signer.PublicJwk().ToJsonString()}}}";

        await AssertRejectedAsync(_signer.SignRaw(json, Payload().ToJsonString()), "malformed JWS");
    }

    [TestCase("JWT")]
    [TestCase("DPoP+jwt")]
    [TestCase("application/dpop+jwt")]
    public async Task Proof_WrongTyp_IsRejected(string typ)
    {
        var header = _signer.Header();
        header["typ"] = typ;

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "typ is not dpop+jwt");
    }

    [Test]
    public async Task Proof_NoTyp_IsRejected()
    {
        var header = _signer.Header();
        header.Remove("typ");

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "typ is not dpop+jwt");
    }

    [Test]
    public async Task Proof_AlgNone_IsRejected()
    {
        var header = _signer.Header();
        header["alg"] = "none";

        await AssertRejectedAsync(HandmadeProofSigner.Unsigned(header, Payload()), "alg not allowed");
    }

    [TestCase("HS256")]
    [TestCase("ES256K")]
    [TestCase("es256")]
    public async Task Proof_AlgNotAllowed_IsRejected(string alg)
    {
        var header = _signer.Header();
        header["alg"] = alg;

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "alg not allowed");
    }

    [Test]
    public async Task Proof_NoJwk_IsRejected()
    {
        var header = _signer.Header();
        header.Remove("jwk");

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "jwk missing or not an object");
    }

    [Test]
    public async Task Proof_PrivateJwkInHeader_IsRejected()
    {
        var header = _signer.Header();
        header["jwk"]!["d"] = _signer.PrivateScalar();

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "jwk contains private key members");
    }

    [Test]
    public async Task Proof_SymmetricJwk_IsRejected()
    {
        var header = _signer.Header();
        header["jwk"] = new JsonObject { ["kty"] = "oct", ["k"] = "c2VjcmV0" };

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "jwk contains private key members");
    }

    [Test]
    public async Task Proof_JwkCurveDoesNotFitAlg_IsRejected()
    {
        var header = _signer.Header();
        header["alg"] = "ES384";

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "jwk does not match alg");
    }

    [Test]
    public async Task Proof_JwkOfAnotherKey_FailsSignature()
    {
        using var other = new HandmadeProofSigner();
        var header = _signer.Header();
        header["jwk"] = other.PublicJwk();

        await AssertRejectedAsync(_signer.Sign(header, Payload()), "invalid signature");
    }

    [Test]
    public async Task Proof_PayloadChangedAfterSigning_FailsSignature()
    {
        using var key = DPoPKey.Generate();
        var proof = DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint);
        var payload = Jwt.Payload(proof).ToString().Replace(_server.TokenEndpoint.AbsoluteUri, _server.TokenEndpoint.AbsoluteUri + "x", StringComparison.Ordinal);

        await AssertRejectedAsync(Jwt.WithPayload(proof, payload), "invalid signature");
    }

    [TestCase("jti")]
    [TestCase("htm")]
    [TestCase("htu")]
    [TestCase("iat")]
    public async Task Proof_RequiredClaimMissing_IsRejected(string claim)
    {
        var payload = Payload();
        payload.Remove(claim);

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), $"claim {claim} missing");
    }

    [Test]
    public async Task Proof_IatAsString_IsRejected()
    {
        var payload = Payload();
        payload["iat"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "claim iat missing or not a number");
    }

    [Test]
    public async Task Proof_JtiAsNumber_IsRejected()
    {
        var payload = Payload();
        payload["jti"] = 42;

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "claim jti missing or not a non-empty string");
    }

    [TestCase("post")]
    [TestCase("GET")]
    public async Task Proof_HtmNotTheRequestMethod_IsRejected(string htm)
    {
        var payload = Payload();
        payload["htm"] = htm;

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "htm mismatch");
    }

    [Test]
    public async Task Proof_HtuOfAnotherEndpoint_IsRejected()
    {
        using var key = DPoPKey.Generate();

        await AssertRejectedAsync(DPoPProof.Create(key, HttpMethod.Post, new Uri(_server.BaseAddress, "connect/other")), "htu mismatch");
    }

    [TestCase("?a=1")]
    [TestCase("#frag")]
    public async Task Proof_HtuWithQueryOrFragment_IsRejected(string suffix)
    {
        var payload = Payload();
        payload["htu"] = _server.TokenEndpoint.AbsoluteUri + suffix;

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "htu mismatch");
    }

    [Test]
    public async Task Proof_HtuOfAnotherHostForm_IsRejected()
    {
        var payload = Payload();
        payload["htu"] = $"http://localhost:{_server.BaseAddress.Port}/connect/token";

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "htu mismatch");
    }

    [TestCase("HTTP://127.0.0.1:{0}/connect/token")]
    [TestCase("http://127.0.0.1:{0}/connect/%74oken")]
    [TestCase("http://127.0.0.1:{0}/connect/./token")]
    [TestCase("http://127.0.0.1:{0}/x/../connect/token")]
    public async Task Proof_HtuEqualAfterNormalization_IsAccepted(string htuFormat)
    {
        var payload = Payload();
        payload["htu"] = string.Format(System.Globalization.CultureInfo.InvariantCulture, htuFormat, _server.BaseAddress.Port);

        using var response = await _client.PostTokenAsync(_signer.Sign(_signer.Header(), payload));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Proof_IatTwoMinutesOld_IsRejected()
    {
        var payload = HandmadeProofSigner.Payload("POST", _server.TokenEndpoint, issuedAt: DateTimeOffset.UtcNow.AddMinutes(-2));

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "iat too old");
    }

    [Test]
    public async Task Proof_IatTwoMinutesAhead_IsRejected()
    {
        var payload = HandmadeProofSigner.Payload("POST", _server.TokenEndpoint, issuedAt: DateTimeOffset.UtcNow.AddMinutes(2));

        await AssertRejectedAsync(_signer.Sign(_signer.Header(), payload), "iat in the future");
    }

    [Test]
    public async Task Proof_SentTwice_SecondIsRejectedAsReplay()
    {
        using var key = DPoPKey.Generate();
        var proof = DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint);
        var replaysBefore = _server.Statistics.ReplaysDetected;

        using var first = await _client.PostTokenAsync(proof);
        using var second = await _client.PostTokenAsync(proof);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await DemoServerClient.ErrorDescriptionOf(second), Is.EqualTo("jti replay"));
            Assert.That(_server.Statistics.ReplaysDetected, Is.EqualTo(replaysBefore + 1));
        });
    }

    [Test]
    public async Task Proof_Rejected_RecordsEventWithRuleAndClaims()
    {
        var payload = Payload();
        payload["htm"] = "GET";
        var rejectionsBefore = _server.Statistics.Rejections;

        using var response = await _client.PostTokenAsync(_signer.Sign(_signer.Header(), payload));

        var rejected = _server.Events.Last(e => e.Kind == DemoServerEventKinds.Rejected);
        Assert.Multiple(() =>
        {
            Assert.That(_server.Statistics.Rejections, Is.EqualTo(rejectionsBefore + 1));
            Assert.That(rejected.Detail, Is.EqualTo("htm mismatch"));
            Assert.That(rejected.StatusCode, Is.EqualTo(400));
            Assert.That(rejected.ProofClaims!["htm"], Is.EqualTo("GET"));
            Assert.That(rejected.ProofClaims!["jti"], Is.EqualTo(payload["jti"]!.GetValue<string>()));
        });
    }

    private JsonObject Payload() => HandmadeProofSigner.Payload("POST", _server.TokenEndpoint);

    private async Task AssertRejectedAsync(string proof, string expectedDescriptionStart)
    {
        using var response = await _client.PostTokenAsync(proof);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_dpop_proof"));
            Assert.That(body.GetProperty("error_description").GetString(), Does.StartWith(expectedDescriptionStart));
        });
    }
}

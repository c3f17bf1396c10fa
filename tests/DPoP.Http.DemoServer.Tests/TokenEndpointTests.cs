using System.Net;
using System.Net.Http.Headers;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The token endpoint with default options: nonces required, client credentials, DPoP-bound tokens.</summary>
[Category("Integration")]
public sealed class TokenEndpointTests
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
    public void StartAsync_DefaultOptions_ListensOnLoopbackOnly()
    {
        Assert.Multiple(() =>
        {
            Assert.That(_server.BaseAddress.Host, Is.EqualTo("127.0.0.1"));
            Assert.That(_server.BaseAddress.Port, Is.GreaterThan(0));
            Assert.That(_server.TokenEndpoint, Is.EqualTo(new Uri(_server.BaseAddress, "connect/token")));
            Assert.That(_server.ApiBaseAddress, Is.EqualTo(new Uri(_server.BaseAddress, "api/")));
        });
    }

    [Test]
    public async Task Token_WithoutNonce_Returns400UseDpopNonce()
    {
        using var key = DPoPKey.Generate();
        var challengesBefore = _server.Statistics.NonceChallenges;

        using var response = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint));
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("use_dpop_nonce"));
            Assert.That(body.GetProperty("error_description").GetString(), Is.EqualTo("Authorization server requires nonce in DPoP proof"));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.Null.And.Match("^[A-Za-z0-9_-]{22}$"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(_server.Statistics.NonceChallenges, Is.GreaterThan(challengesBefore));
            Assert.That(_server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Kind == DemoServerEventKinds.NonceChallenge && e.Detail == "nonce missing"));
        });
    }

    [Test]
    public async Task Token_WithNonce_ReturnsDPoPTokenBoundToProofKey()
    {
        using var key = DPoPKey.Generate();
        var nonce = await _client.GetTokenNonceAsync();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));
        var body = await DemoServerClient.ReadJsonAsync(response);
        var token = body.GetProperty("access_token").GetString()!;
        var claims = Jwt.Payload(token);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("DPoP"));
            Assert.That(body.GetProperty("expires_in").GetInt64(), Is.EqualTo(300));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.Null);
            Assert.That(claims.GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo(_server.BaseAddress.AbsoluteUri));
            Assert.That(claims.GetProperty("aud").GetString(), Is.EqualTo("demo-api"));
            Assert.That(claims.GetProperty("client_id").GetString(), Is.EqualTo(DemoServerClient.ClientId));
            Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo(DemoServerClient.ClientId));
            Assert.That(claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64(), Is.EqualTo(300));
            Assert.That(Jwt.Header(token).GetProperty("alg").GetString(), Is.EqualTo("ES256"));
        });
    }

    [TestCase("ES256")]
    [TestCase("ES384")]
    [TestCase("ES512")]
    [TestCase("RS256")]
    [TestCase("RS512")]
    [TestCase("PS256")]
    [TestCase("PS384")]
    public async Task Token_ProofWithEachAlgorithm_BindsTokenToThatKey(string algorithm)
    {
        using var key = DPoPKey.Generate(algorithm);

        var token = await _client.GetAccessTokenAsync(key);

        Assert.That(Jwt.Payload(token).GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
    }

    [Test]
    public async Task Token_ClientSecretPost_IssuesToken()
    {
        using var key = DPoPKey.Generate();
        var nonce = await _client.GetTokenNonceAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, _server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "client_credentials"),
                new("client_id", DemoServerClient.ClientId),
                new("client_secret", DemoServerClient.ClientSecret),
            ]),
        };
        request.Headers.Add("DPoP", DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));

        using var response = await _client.Http.SendAsync(request);

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Token_WrongClientSecret_Returns401InvalidClientWithBasicChallenge()
    {
        using var request = _client.TokenRequest();
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", DemoServerClient.Basic(DemoServerClient.ClientId, "wrong"));

        using var response = await _client.Http.SendAsync(request);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.StartWith("Basic"));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.Null, "every token endpoint response carries the nonce");
        });
    }

    [Test]
    public async Task Token_UnknownClientByPost_Returns401InvalidClient()
    {
        using var response = await _client.Http.PostAsync(_server.TokenEndpoint, new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", "nobody"),
            new("client_secret", DemoServerClient.ClientSecret),
        ]));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_client"));
        });
    }

    [Test]
    public async Task Token_BasicAndPostCredentials_Returns400InvalidRequest()
    {
        using var request = _client.TokenRequest();
        request.Content = new FormUrlEncodedContent(
        [
            new("grant_type", "client_credentials"),
            new("client_id", DemoServerClient.ClientId),
            new("client_secret", DemoServerClient.ClientSecret),
        ]);

        using var response = await _client.Http.SendAsync(request);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("invalid_request"));
        });
    }

    [Test]
    public async Task Token_PasswordGrant_Returns400UnsupportedGrantType()
    {
        using var request = _client.TokenRequest();
        request.Content = new FormUrlEncodedContent([new("grant_type", "password")]);

        using var response = await _client.Http.SendAsync(request);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("unsupported_grant_type"));
        });
    }

    [Test]
    public async Task Token_MissingProof_Returns400InvalidDpopProof()
    {
        using var response = await _client.PostTokenAsync();
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body.GetProperty("error").GetString(), Is.EqualTo("invalid_dpop_proof"));
            Assert.That(body.GetProperty("error_description").GetString(), Is.EqualTo("missing DPoP header"));
        });
    }

    [Test]
    public async Task Token_TwoDPoPHeaders_Returns400InvalidDpopProof()
    {
        using var key = DPoPKey.Generate();
        var nonce = await _client.GetTokenNonceAsync();
        var first = DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, nonce);
        var second = DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, nonce);

        using var response = await _client.PostTokenAsync(first, second);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await DemoServerClient.ErrorDescriptionOf(response), Is.EqualTo("multiple DPoP headers"));
        });
    }

    [Test]
    public async Task Token_NonceNeverIssued_Returns400UseDpopNonce()
    {
        using var key = DPoPKey.Generate();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, "made-up-nonce"));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("use_dpop_nonce"));
            Assert.That(_server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Detail == "nonce unknown or expired" && e.ProofClaims!["nonce"] == "made-up-nonce"));
        });
    }

    [Test]
    public async Task Token_ResourceServerNonce_Returns400UseDpopNonce()
    {
        using var key = DPoPKey.Generate();
        var resourceNonce = await _client.GetResourceNonceAsync();

        using var response = await _client.PostTokenAsync(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, resourceNonce));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That((await DemoServerClient.ReadJsonAsync(response)).GetProperty("error").GetString(), Is.EqualTo("use_dpop_nonce"));
        });
    }

    [Test]
    public async Task Token_Scope_IsEchoedInResponseAndToken()
    {
        using var key = DPoPKey.Generate();
        var nonce = await _client.GetTokenNonceAsync();
        using var request = _client.TokenRequest(DPoPProof.Create(key, HttpMethod.Post, _server.TokenEndpoint, null, nonce));
        request.Content = new FormUrlEncodedContent([new("grant_type", "client_credentials"), new("scope", "read write")]);

        using var response = await _client.Http.SendAsync(request);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo("read write"));
            Assert.That(Jwt.Payload(body.GetProperty("access_token").GetString()!).GetProperty("scope").GetString(), Is.EqualTo("read write"));
        });
    }

    [Test]
    public async Task Token_Issued_RecordsEventWithProofClaims()
    {
        using var key = DPoPKey.Generate();
        var issuedBefore = _server.Statistics.TokensIssued;

        await _client.GetAccessTokenAsync(key);

        var issued = _server.Events.Last(e => e.Kind == DemoServerEventKinds.TokenIssued);
        Assert.Multiple(() =>
        {
            Assert.That(_server.Statistics.TokensIssued, Is.EqualTo(issuedBefore + 1));
            Assert.That(issued.Endpoint, Is.EqualTo("POST /connect/token"));
            Assert.That(issued.StatusCode, Is.EqualTo(200));
            Assert.That(issued.ProofClaims!.Keys, Is.SupersetOf(new[] { "jti", "htm", "htu", "iat", "nonce" }));
            Assert.That(issued.ProofClaims!["htu"], Is.EqualTo(_server.TokenEndpoint.AbsoluteUri));
        });
    }
}

using System.Net;
using DPoP.Http.DemoServer.Tests.Support;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The authorization code grant: PKCE, dpop_jkt, single use, nonces, and the tokens it answers.</summary>
internal sealed class CodeExchangeTests : CodeFlowTest
{
    [Test]
    public async Task Exchange_ValidCode_AnswersDPoPBoundTokensAndIdToken()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, request) = await Client.GetCodeAsync(key.JwkThumbprint);
        var grantsBefore = Server.Statistics.AuthorizationCodeGrants;

        using var response = await Client.ExchangeAsync(key, code, verifier);
        var body = await DemoServerClient.ReadJsonAsync(response);
        var accessToken = Jwt.Payload(body.GetProperty("access_token").GetString()!);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.GetProperty("token_type").GetString(), Is.EqualTo("DPoP"));
            Assert.That(body.GetProperty("expires_in").GetInt64(), Is.EqualTo(300));
            Assert.That(body.GetProperty("refresh_token").GetString(), Does.Match("^[A-Za-z0-9_-]{43}$"));
            Assert.That(body.GetProperty("scope").GetString(), Is.EqualTo(request["scope"]));
            Assert.That(accessToken.GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(accessToken.GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(accessToken.GetProperty("client_id").GetString(), Is.EqualTo(CodeFlowClient.ClientId));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(Server.Statistics.AuthorizationCodeGrants, Is.EqualTo(grantsBefore + 1));
            Assert.That(Server.Statistics.GrantsOf("authorization_code"), Is.EqualTo(grantsBefore + 1));
        });
    }

    [Test]
    public async Task Exchange_OpenIdScope_IdTokenHasTheClaimsAndVerifiesWithTheJwks()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, request) = await Client.GetCodeAsync(key.JwkThumbprint, user: "bob");
        var before = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

        using var response = await Client.ExchangeAsync(key, code, verifier);
        var body = await DemoServerClient.ReadJsonAsync(response);
        var idToken = body.GetProperty("id_token").GetString()!;
        var jwks = new JsonWebKeySet(await Client.Http.GetStringAsync(Server.JwksUri));
        var validation = await new JsonWebTokenHandler().ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            IssuerSigningKeys = jwks.GetSigningKeys(),
            ValidIssuer = Server.Issuer,
            ValidAudience = CodeFlowClient.ClientId,
        });
        var claims = Jwt.Payload(idToken);

        Assert.Multiple(() =>
        {
            Assert.That(validation.IsValid, Is.True, validation.Exception?.Message);
            Assert.That(Jwt.Header(idToken).GetProperty("alg").GetString(), Is.EqualTo("RS256"));
            Assert.That(claims.GetProperty("iss").GetString(), Is.EqualTo(Server.Issuer));
            Assert.That(claims.GetProperty("aud").GetString(), Is.EqualTo(CodeFlowClient.ClientId));
            Assert.That(claims.GetProperty("sub").GetString(), Is.EqualTo("bob"));
            Assert.That(claims.GetProperty("name").GetString(), Is.EqualTo("Bob Demo"));
            Assert.That(claims.GetProperty("nonce").GetString(), Is.EqualTo(request["nonce"]));
            Assert.That(claims.GetProperty("iat").GetInt64(), Is.InRange(before - 5, before + 5));
            Assert.That(claims.GetProperty("exp").GetInt64() - claims.GetProperty("iat").GetInt64(), Is.EqualTo(300));
            Assert.That(claims.GetProperty("auth_time").GetInt64(), Is.InRange(before - 5, before + 5));
            Assert.That(claims.TryGetProperty("at_hash", out _), Is.True);
        });
    }

    [Test]
    public async Task Exchange_IdToken_AtHashIsTheLeftHalfOfTheAccessTokensSha256()
    {
        using var key = DPoPKey.Generate();

        var body = await Client.SignInAndRedeemAsync(key);
        var accessToken = body.GetProperty("access_token").GetString()!;
        var hash = System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.ASCII.GetBytes(accessToken));

        // OpenID Connect Core §3.1.3.6, for RS256.
        Assert.That(Jwt.Payload(body.GetProperty("id_token").GetString()!).GetProperty("at_hash").GetString(), Is.EqualTo(Base64UrlEncoder.Encode(hash[..16])));
    }

    [Test]
    public async Task Exchange_ScopeWithoutOpenId_AnswersNoIdToken()
    {
        using var key = DPoPKey.Generate();
        var (verifier, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["scope"] = "orders.read";
        using var signIn = await Client.SignInAsync(Client.AuthorizeUri(parameters));

        using var response = await Client.ExchangeAsync(key, CodeFlowClient.RedirectParameters(signIn)["code"], verifier);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.That(body.TryGetProperty("id_token", out _), Is.False, body.ToString());
    }

    [Test]
    public async Task Exchange_AccessToken_IsAcceptedByTheResourceServerForTheUser()
    {
        using var key = DPoPKey.Generate();
        var token = (await Client.SignInAndRedeemAsync(key)).GetProperty("access_token").GetString()!;
        using var api = new DemoServerClient(Server);
        var orders = new Uri(Server.ApiBaseAddress, "orders");

        using var response = await api.SendResourceAsync(key, token, HttpMethod.Get, orders, await api.GetResourceNonceAsync());
        var echo = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(echo.GetProperty("sub").GetString(), Is.EqualTo("alice"));
            Assert.That(echo.GetProperty("client_id").GetString(), Is.EqualTo(CodeFlowClient.ClientId));
            Assert.That(echo.GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
        });
    }

    [Test]
    public async Task Exchange_ProofKeyIsNotDPoPJkt_Returns400InvalidGrantAndKeepsTheCode()
    {
        using var key = DPoPKey.Generate();
        using var otherKey = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(key.JwkThumbprint);

        using var wrong = await Client.ExchangeAsync(otherKey, code, verifier);
        var error = await CodeFlowClient.ErrorOf(wrong);
        using var right = await Client.ExchangeAsync(key, code, verifier);

        Assert.Multiple(() =>
        {
            Assert.That(error, Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "DPoP proof key does not match dpop_jkt of the authorization request")));
            Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK), "a wrong key must not burn the code of the right one");
        });
    }

    [Test]
    public async Task Exchange_NoDPoPJkt_BindsTokensToTheProofKey()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(dpopJkt: null);

        using var response = await Client.ExchangeAsync(key, code, verifier);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.That(Jwt.Payload(body.GetProperty("access_token").GetString()!).GetProperty("cnf").GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
    }

    [Test]
    public async Task Exchange_WrongCodeVerifier_Returns400InvalidGrant()
    {
        using var key = DPoPKey.Generate();
        var (code, _, _) = await Client.GetCodeAsync(key.JwkThumbprint);
        var (otherVerifier, _) = CodeFlowClient.Pkce();

        using var response = await Client.ExchangeAsync(key, code, otherVerifier);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "code_verifier does not match the code_challenge (PKCE)")));
    }

    [Test]
    public async Task Exchange_OtherRedirectUri_Returns400InvalidGrant()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(key.JwkThumbprint);

        using var response = await Client.ExchangeAsync(key, code, verifier, "http://127.0.0.1:6000/signin-oidc");

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "redirect_uri does not match the authorization request")));
    }

    [Test]
    public async Task Exchange_MissingCodeVerifier_Returns400InvalidRequest()
    {
        using var key = DPoPKey.Generate();
        var (code, _, _) = await Client.GetCodeAsync(key.JwkThumbprint);

        using var response = await Client.PostTokenAsync(key, [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", CodeFlowClient.RedirectUri)]);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("invalid_request"));
    }

    [Test]
    public async Task Exchange_CodeUsedTwice_SecondIsRefusedAndTheFirstRefreshTokenIsRevoked()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(key.JwkThumbprint);
        using var first = await Client.ExchangeAsync(key, code, verifier);
        var refreshToken = (await DemoServerClient.ReadJsonAsync(first)).GetProperty("refresh_token").GetString()!;

        using var second = await Client.ExchangeAsync(key, code, verifier);
        var secondError = await CodeFlowClient.ErrorOf(second);
        using var refresh = await Client.RefreshAsync(key, refreshToken);

        await Assert.MultipleAsync(async () =>
        {
            Assert.That(secondError, Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "authorization code already used; the tokens issued from it are revoked")));
            Assert.That((await CodeFlowClient.ErrorOf(refresh)).Error, Is.EqualTo("invalid_grant"));
        });
    }

    [Test]
    public async Task Exchange_UnknownCode_Returns400InvalidGrant()
    {
        using var key = DPoPKey.Generate();

        using var response = await Client.ExchangeAsync(key, "not-a-code", CodeFlowClient.Pkce().Verifier);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "authorization code unknown or expired")));
    }

    [Test]
    public async Task Exchange_WithoutNonce_Returns400UseDpopNonceAndKeepsTheCode()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(key.JwkThumbprint);
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.TokenEndpoint)
        {
            Content = new FormUrlEncodedContent(
            [
                new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", CodeFlowClient.RedirectUri),
                new("code_verifier", verifier), new("client_id", CodeFlowClient.ClientId), new("client_secret", CodeFlowClient.ClientSecret),
            ]),
        };
        request.Headers.Add("DPoP", DPoPProof.Create(key, HttpMethod.Post, Server.TokenEndpoint));

        using var challenge = await Client.Http.SendAsync(request);
        var error = await CodeFlowClient.ErrorOf(challenge);
        using var retry = await Client.ExchangeAsync(key, code, verifier);

        Assert.Multiple(() =>
        {
            Assert.That(error.Error, Is.EqualTo("use_dpop_nonce"));
            Assert.That(DemoServerClient.NonceOf(challenge), Is.Not.Null);
            Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.OK), "the nonce challenge must not consume the code");
        });
    }

    [Test]
    public async Task Exchange_WithoutProof_Returns400InvalidDPoPProof()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(key.JwkThumbprint);

        using var response = await Client.PostTokenAsync(null, [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", CodeFlowClient.RedirectUri), new("code_verifier", verifier)]);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("invalid_dpop_proof"));
    }

    [Test]
    public async Task Exchange_ByAClientCredentialsClient_Returns400UnauthorizedClient()
    {
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await Client.GetCodeAsync(key.JwkThumbprint);

        using var response = await Client.PostTokenAsync(key,
            [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", CodeFlowClient.RedirectUri), new("code_verifier", verifier)],
            DemoServerClient.ClientId, DemoServerClient.ClientSecret);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("unauthorized_client"));
    }

    [Test]
    public async Task Exchange_CodeOfAnotherWebClient_Returns400InvalidGrant()
    {
        var options = new DemoServerOptions();
        var other = new DemoWebClient { ClientId = "other-web", ClientSecret = "other-secret" };
        other.RedirectUris.Add(CodeFlowClient.RedirectUri);
        options.WebClients.Add(other);
        await using var server = await DemoServer.StartAsync(options);
        using var client = new CodeFlowClient(server);
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await client.GetCodeAsync(key.JwkThumbprint);

        using var response = await client.PostTokenAsync(key,
            [new("grant_type", "authorization_code"), new("code", code), new("redirect_uri", CodeFlowClient.RedirectUri), new("code_verifier", verifier)],
            "other-web", "other-secret");

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "authorization code was issued to another client")));
    }

    [Test]
    public async Task ClientCredentials_ByTheWebClient_IsGranted()
    {
        using var key = DPoPKey.Generate();
        var before = Server.Statistics.ClientCredentialsGrants;

        using var response = await Client.PostTokenAsync(key, [new("grant_type", "client_credentials")]);
        var body = await DemoServerClient.ReadJsonAsync(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToString());
            Assert.That(body.TryGetProperty("refresh_token", out _), Is.False);
            Assert.That(Server.Statistics.ClientCredentialsGrants, Is.EqualTo(before + 1));
        });
    }

    [Test]
    public async Task Exchange_ExpiredCode_Returns400InvalidGrant()
    {
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await DemoServer.StartAsync(new DemoServerOptions { TimeProvider = clock, ProofLifetime = TimeSpan.FromMinutes(5) });
        using var client = new CodeFlowClient(server);
        using var key = DPoPKey.Generate();
        var (code, verifier, _) = await client.GetCodeAsync(key.JwkThumbprint);
        clock.Advance(TimeSpan.FromSeconds(61));

        using var response = await client.ExchangeAsync(key, code, verifier);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_grant", "authorization code unknown or expired")));
    }
}

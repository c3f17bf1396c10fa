using System.Net;
using System.Net.Http.Headers;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Pushed authorization requests (RFC 9126), with dpop_jkt or a DPoP proof (RFC 9449 §10.1).</summary>
internal sealed class PushedAuthorizationTests : CodeFlowTest
{
    private async Task<HttpResponseMessage> PushAsync(Dictionary<string, string?> parameters, string? proof = null, bool authenticate = true)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.PushedAuthorizationRequestEndpoint)
        {
            Content = new FormUrlEncodedContent(parameters.Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))),
        };
        if (authenticate)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", DemoServerClient.Basic(CodeFlowClient.ClientId, CodeFlowClient.ClientSecret));
        }

        if (proof is not null)
        {
            request.Headers.Add("DPoP", proof);
        }

        return await Client.Http.SendAsync(request);
    }

    private Uri AuthorizeWithRequestUri(string requestUri, string clientId = CodeFlowClient.ClientId) =>
        Client.AuthorizeUri(new Dictionary<string, string?> { ["client_id"] = clientId, ["request_uri"] = requestUri });

    [Test]
    public async Task Push_ValidRequest_Returns201WithRequestUriThatLeadsToACode()
    {
        using var key = DPoPKey.Generate();
        var (verifier, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge, key.JwkThumbprint);
        var before = Server.Statistics.PushedAuthorizationRequests;

        using var pushed = await PushAsync(parameters);
        var body = await DemoServerClient.ReadJsonAsync(pushed);
        var requestUri = body.GetProperty("request_uri").GetString()!;
        using var signIn = await Client.SignInAsync(AuthorizeWithRequestUri(requestUri));
        var redirect = CodeFlowClient.RedirectParameters(signIn);
        using var token = await Client.ExchangeAsync(key, redirect["code"], verifier);

        Assert.Multiple(() =>
        {
            Assert.That(pushed.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(requestUri, Does.StartWith("urn:ietf:params:oauth:request_uri:"));
            Assert.That(body.GetProperty("expires_in").GetInt64(), Is.Positive);
            Assert.That(redirect["state"], Is.EqualTo(parameters["state"]));
            Assert.That(token.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(Server.Statistics.PushedAuthorizationRequests, Is.EqualTo(before + 1));
        });
    }

    [Test]
    public async Task Push_DPoPJkt_BindsTheCode()
    {
        using var key = DPoPKey.Generate();
        using var otherKey = DPoPKey.Generate();
        var (verifier, challenge) = CodeFlowClient.Pkce();
        using var pushed = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge, key.JwkThumbprint));
        var requestUri = (await DemoServerClient.ReadJsonAsync(pushed)).GetProperty("request_uri").GetString()!;
        using var signIn = await Client.SignInAsync(AuthorizeWithRequestUri(requestUri));

        using var response = await Client.ExchangeAsync(otherKey, CodeFlowClient.RedirectParameters(signIn)["code"], verifier);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Description, Is.EqualTo("DPoP proof key does not match dpop_jkt of the authorization request"));
    }

    [Test]
    public async Task Push_ProofWithoutNonce_Returns400UseDpopNonce()
    {
        using var key = DPoPKey.Generate();
        var (_, challenge) = CodeFlowClient.Pkce();

        using var response = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge), DPoPProof.Create(key, HttpMethod.Post, Server.PushedAuthorizationRequestEndpoint));

        await Assert.MultipleAsync(async () =>
        {
            Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("use_dpop_nonce"));
            Assert.That(DemoServerClient.NonceOf(response), Is.Not.Null);
        });
    }

    [Test]
    public async Task Push_ProofWithNonce_BindsTheCodeToTheProofKey()
    {
        using var key = DPoPKey.Generate();
        using var otherKey = DPoPKey.Generate();
        var (verifier, challenge) = CodeFlowClient.Pkce();
        var proof = DPoPProof.Create(key, HttpMethod.Post, Server.PushedAuthorizationRequestEndpoint, null, await Client.GetNonceAsync());
        using var pushed = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge), proof);
        var requestUri = (await DemoServerClient.ReadJsonAsync(pushed)).GetProperty("request_uri").GetString()!;
        using var signIn = await Client.SignInAsync(AuthorizeWithRequestUri(requestUri));
        var code = CodeFlowClient.RedirectParameters(signIn)["code"];

        using var wrong = await Client.ExchangeAsync(otherKey, code, verifier);
        using var right = await Client.ExchangeAsync(key, code, verifier);

        Assert.Multiple(() =>
        {
            Assert.That(pushed.StatusCode, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task Push_ProofKeyIsNotDPoPJkt_Returns400InvalidDPoPProof()
    {
        using var key = DPoPKey.Generate();
        using var otherKey = DPoPKey.Generate();
        var (_, challenge) = CodeFlowClient.Pkce();
        var proof = DPoPProof.Create(key, HttpMethod.Post, Server.PushedAuthorizationRequestEndpoint, null, await Client.GetNonceAsync());

        using var response = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge, otherKey.JwkThumbprint), proof);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_dpop_proof", "dpop_jkt does not match the DPoP proof's key")));
    }

    [Test]
    public async Task Push_WithoutClientAuthentication_Returns401InvalidClient()
    {
        var (_, challenge) = CodeFlowClient.Pkce();

        using var response = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge), authenticate: false);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.Unauthorized, "invalid_client", "client authentication missing")));
    }

    [Test]
    public async Task Push_WrongBasicSecret_Returns401WithBasicChallenge()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        using var request = new HttpRequestMessage(HttpMethod.Post, Server.PushedAuthorizationRequestEndpoint)
        {
            Content = new FormUrlEncodedContent(CodeFlowClient.AuthorizeParameters(challenge).Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!))),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Basic", DemoServerClient.Basic(CodeFlowClient.ClientId, "wrong"));

        using var response = await Client.Http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(DemoServerClient.ChallengeOf(response), Does.StartWith("Basic"));
        });
    }

    [Test]
    public async Task Push_WithoutPkce_Returns400InvalidRequest()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["code_challenge"] = null;

        using var response = await PushAsync(parameters);

        Assert.That(await CodeFlowClient.ErrorOf(response), Is.EqualTo((HttpStatusCode.BadRequest, "invalid_request", "code_challenge required (PKCE)")));
    }

    [Test]
    public async Task Push_UnregisteredRedirectUri_Returns400InvalidRequest()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["redirect_uri"] = "https://attacker.example/cb";

        using var response = await PushAsync(parameters);

        Assert.That((await CodeFlowClient.ErrorOf(response)).Error, Is.EqualTo("invalid_request"));
    }

    [Test]
    public async Task Authorize_RequestUriWithOtherClientId_ShowsError()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        using var pushed = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge));
        var requestUri = (await DemoServerClient.ReadJsonAsync(pushed)).GetProperty("request_uri").GetString()!;

        using var response = await Client.Http.GetAsync(AuthorizeWithRequestUri(requestUri, "demo-client"));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Authorize_UnknownRequestUri_ShowsError()
    {
        using var response = await Client.Http.GetAsync(AuthorizeWithRequestUri("urn:ietf:params:oauth:request_uri:nothing"));

        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("invalid_request_uri"));
    }

    [Test]
    public async Task Authorize_RequestUriAfterSignIn_IsNotUsableAgain()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        using var pushed = await PushAsync(CodeFlowClient.AuthorizeParameters(challenge));
        var requestUri = (await DemoServerClient.ReadJsonAsync(pushed)).GetProperty("request_uri").GetString()!;
        using var signIn = await Client.SignInAsync(AuthorizeWithRequestUri(requestUri));

        using var again = await Client.Http.GetAsync(AuthorizeWithRequestUri(requestUri));

        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [Test]
    public async Task Push_PushedRequestsRequired_RequestUriIsAccepted()
    {
        await using var server = await DemoServer.StartAsync(new DemoServerOptions { RequirePushedAuthorizationRequests = true, SignInAutomatically = true });
        using var client = new CodeFlowClient(server);
        var (_, challenge) = CodeFlowClient.Pkce();
        using var push = new HttpRequestMessage(HttpMethod.Post, server.PushedAuthorizationRequestEndpoint)
        {
            Content = new FormUrlEncodedContent(CodeFlowClient.AuthorizeParameters(challenge).Where(p => p.Value is not null)
                .Select(p => new KeyValuePair<string, string>(p.Key, p.Value!)).Append(new("client_secret", CodeFlowClient.ClientSecret))),
        };
        using var pushed = await client.Http.SendAsync(push);
        var requestUri = (await DemoServerClient.ReadJsonAsync(pushed)).GetProperty("request_uri").GetString()!;

        using var response = await client.Http.GetAsync(client.AuthorizeUri(new Dictionary<string, string?> { ["client_id"] = CodeFlowClient.ClientId, ["request_uri"] = requestUri }));

        Assert.That(CodeFlowClient.RedirectParameters(response), Does.ContainKey("code"));
    }
}

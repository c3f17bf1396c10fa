using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>The authorization endpoint and its sign-in page: which requests it refuses, and how it answers.</summary>
internal sealed class AuthorizeEndpointTests : CodeFlowTest
{
    [Test]
    public async Task Authorize_ValidRequest_ShowsOneSignInButtonPerUser()
    {
        var (_, challenge) = CodeFlowClient.Pkce();

        using var response = await Client.Http.GetAsync(Client.AuthorizeUri(CodeFlowClient.AuthorizeParameters(challenge)));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
            Assert.That(response.Headers.CacheControl?.NoStore, Is.True);
            Assert.That(html, Does.Contain("Sign in as Alice Demo").And.Contain("Sign in as Bob Demo"));
            Assert.That(html, Does.Contain("id=\"signin-button-alice\""));
        });
    }

    [Test]
    public async Task SignIn_QueryMode_RedirectsWithCodeStateAndIssuer()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        var codesBefore = Server.Statistics.CodesIssued;

        using var response = await Client.SignInAsync(Client.AuthorizeUri(parameters));
        var redirect = CodeFlowClient.RedirectParameters(response);

        Assert.Multiple(() =>
        {
            Assert.That(response.Headers.Location!.GetLeftPart(UriPartial.Path), Is.EqualTo(CodeFlowClient.RedirectUri));
            Assert.That(redirect["code"], Does.Match("^[A-Za-z0-9_-]{43}$"));
            Assert.That(redirect["state"], Is.EqualTo(parameters["state"]));
            Assert.That(redirect["iss"], Is.EqualTo(Server.Issuer));
            Assert.That(Server.Statistics.CodesIssued, Is.EqualTo(codesBefore + 1));
            Assert.That(Server.Events, Has.Some.Matches<DemoServerEvent>(e => e.Kind == DemoServerEventKinds.CodeIssued && e.Detail.Contains("alice", StringComparison.Ordinal)));
        });
    }

    [Test]
    public async Task SignIn_FormPostMode_AnswersAFormThatPostsCodeAndStateToTheRedirectUri()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["response_mode"] = "form_post";

        using var response = await Client.SignInAsync(Client.AuthorizeUri(parameters));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(html, Does.Contain($"method=\"post\" id=\"response\" action=\"{CodeFlowClient.RedirectUri}\""));
            Assert.That(html, Does.Match("name=\"code\" value=\"[A-Za-z0-9_-]{43}\""));
            Assert.That(html, Does.Contain($"name=\"state\" value=\"{parameters["state"]}\""));
            Assert.That(html, Does.Contain(".submit()"));
        });
    }

    [Test]
    public async Task SignIn_SameRequestTwice_SecondIsRefused()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        using var page = await Client.Http.GetAsync(Client.AuthorizeUri(CodeFlowClient.AuthorizeParameters(challenge)));
        var requestId = CodeFlowClient.RequestIdOf(await page.Content.ReadAsStringAsync());

        using var first = await Client.PostSignInAsync(requestId, "alice");
        using var second = await Client.PostSignInAsync(requestId, "alice");

        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Found));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
    }

    [Test]
    public async Task SignIn_UnknownUser_Returns400Page()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        using var page = await Client.Http.GetAsync(Client.AuthorizeUri(CodeFlowClient.AuthorizeParameters(challenge)));

        using var response = await Client.PostSignInAsync(CodeFlowClient.RequestIdOf(await page.Content.ReadAsStringAsync()), "mallory");

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
    }

    [TestCase("client_id", "unknown-client")]
    [TestCase("client_id", "demo-client")]
    [TestCase("client_id", null)]
    [TestCase("redirect_uri", "http://127.0.0.1:5999/elsewhere")]
    [TestCase("redirect_uri", "https://attacker.example/signin-oidc")]
    [TestCase("redirect_uri", null)]
    public async Task Authorize_UntrustedClientOrRedirectUri_ShowsErrorWithoutRedirecting(string parameter, string? value)
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters[parameter] = value;

        using var response = await Client.Http.GetAsync(Client.AuthorizeUri(parameters));
        var html = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(response.Headers.Location, Is.Null);
            Assert.That(html, Does.Contain(parameter));
        });
    }

    [TestCase("code_challenge", null, "invalid_request", "code_challenge required (PKCE)")]
    [TestCase("code_challenge_method", "plain", "invalid_request", "code_challenge_method must be S256")]
    [TestCase("code_challenge_method", null, "invalid_request", "code_challenge_method must be S256")]
    [TestCase("code_challenge", "too-short", "invalid_request", "code_challenge must be 43 base64url characters")]
    [TestCase("response_type", "token", "unsupported_response_type", "response_type must be code")]
    [TestCase("response_type", "code id_token", "unsupported_response_type", "response_type must be code")]
    [TestCase("dpop_jkt", "not-a-thumbprint", "invalid_request", "dpop_jkt must be a base64url SHA-256 JWK thumbprint")]
    [TestCase("request", "eyJhbGciOiJub25lIn0.e30.", "request_not_supported", "request objects are not supported")]
    public async Task Authorize_BadParameter_RedirectsErrorWithState(string parameter, string? value, string error, string description)
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters[parameter] = value;

        using var response = await Client.Http.GetAsync(Client.AuthorizeUri(parameters));
        var redirect = CodeFlowClient.RedirectParameters(response);

        Assert.Multiple(() =>
        {
            Assert.That(redirect["error"], Is.EqualTo(error));
            Assert.That(redirect["error_description"], Is.EqualTo(description));
            Assert.That(redirect["state"], Is.EqualTo(parameters["state"]));
            Assert.That(redirect["iss"], Is.EqualTo(Server.Issuer));
            Assert.That(redirect, Does.Not.ContainKey("code"));
        });
    }

    [Test]
    public async Task Authorize_RepeatedParameter_RedirectsInvalidRequest()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var uri = Client.AuthorizeUri(CodeFlowClient.AuthorizeParameters(challenge)) + "&nonce=second";

        using var response = await Client.Http.GetAsync(new Uri(uri));

        Assert.That(CodeFlowClient.RedirectParameters(response)["error_description"], Is.EqualTo("nonce repeated"));
    }

    [Test]
    public async Task Authorize_UnknownResponseMode_RedirectsInvalidRequestByQuery()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["response_mode"] = "fragment";

        using var response = await Client.Http.GetAsync(Client.AuthorizeUri(parameters));

        Assert.That(CodeFlowClient.RedirectParameters(response)["error"], Is.EqualTo("invalid_request"));
    }

    [TestCase("http://localhost:40123/signin-oidc")]
    [TestCase("http://127.0.0.1:1/signin-oidc")]
    [TestCase("https://localhost:5001/signin-oidc")]
    public async Task Authorize_RegisteredLoopbackRedirectUriOnAnyPort_IsAccepted(string redirectUri)
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["redirect_uri"] = redirectUri;

        using var response = await Client.Http.GetAsync(Client.AuthorizeUri(parameters));

        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Authorize_Post_ShowsSignInPage()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge).Where(p => p.Value is not null).Select(p => new KeyValuePair<string, string>(p.Key, p.Value!));

        using var response = await Client.Http.PostAsync(Server.AuthorizationEndpoint, new FormUrlEncodedContent(parameters));

        Assert.That(await response.Content.ReadAsStringAsync(), Does.Contain("Sign in as Alice Demo"));
    }

    [Test]
    public async Task Authorize_SignInAutomatically_RedirectsWithCodeForTheLoginHintUser()
    {
        await using var server = await DemoServer.StartAsync(new DemoServerOptions { SignInAutomatically = true });
        using var client = new CodeFlowClient(server);
        var (verifier, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["login_hint"] = "bob";
        using var key = DPoPKey.Generate();

        using var response = await client.Http.GetAsync(client.AuthorizeUri(parameters));
        using var token = await client.ExchangeAsync(key, CodeFlowClient.RedirectParameters(response)["code"], verifier);
        var idToken = (await DemoServerClient.ReadJsonAsync(token)).GetProperty("id_token").GetString()!;

        Assert.That(Jwt.Payload(idToken).GetProperty("sub").GetString(), Is.EqualTo("bob"));
    }

    [Test]
    public async Task Authorize_PushedRequestsRequired_RefusesADirectRequest()
    {
        await using var server = await DemoServer.StartAsync(new DemoServerOptions { RequirePushedAuthorizationRequests = true });
        using var client = new CodeFlowClient(server);
        var (_, challenge) = CodeFlowClient.Pkce();

        using var response = await client.Http.GetAsync(client.AuthorizeUri(CodeFlowClient.AuthorizeParameters(challenge)));

        Assert.That(CodeFlowClient.RedirectParameters(response)["error_description"], Does.Contain("pushed authorization requests are required"));
    }

    [Test]
    public async Task Authorize_HtmlInState_IsEncodedOnTheFormPostPage()
    {
        var (_, challenge) = CodeFlowClient.Pkce();
        var parameters = CodeFlowClient.AuthorizeParameters(challenge);
        parameters["response_mode"] = "form_post";
        parameters["state"] = "\"><script>alert(1)</script>";

        using var response = await Client.SignInAsync(Client.AuthorizeUri(parameters));
        var html = await response.Content.ReadAsStringAsync();

        Assert.That(html, Does.Not.Contain("<script>alert(1)</script>"));
    }
}

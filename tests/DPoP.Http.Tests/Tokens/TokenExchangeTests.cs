using System.Collections.Concurrent;
using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace DPoP.Http.Tests.Tokens;

/// <summary>Exact token endpoint exchanges with MockHttp: client authentication, renewal on invalid_token, Bearer opt-in.</summary>
public sealed class TokenExchangeTests
{
    private const string TokenEndpoint = "https://as.example/token";

    private static HttpResponseMessage TokenResponse(string token, string type = "DPoP", int expiresIn = 300) => new(HttpStatusCode.OK)
    {
        Content = new StringContent($"{{\"access_token\":\"{token}\",\"token_type\":\"{type}\",\"expires_in\":{expiresIn}}}", Encoding.UTF8, "application/json"),
    };

    private static (ServiceProvider Services, ConcurrentQueue<SeenRequest> Seen) Build(Func<SeenRequest, int, HttpResponseMessage> respond, Action<DPoPTokenClientOptions> configure)
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        var mock = MockServer.Create(seen, respond);
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri(TokenEndpoint);
            o.ClientId = "client-1";
            configure(o);
        });
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("api")).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => mock);
        return (services.BuildServiceProvider(), seen);
    }

    [Test]
    public async Task InvalidTokenFromApi_RenewsOnceAndRetriesOnceWithNewProof()
    {
        var tokens = 0;
        var (services, seen) = Build((request, _) =>
        {
            if (request.Uri.AbsoluteUri == TokenEndpoint)
            {
                return TokenResponse("token-" + Interlocked.Increment(ref tokens));
            }

            if (request.Authorization == "DPoP token-1")
            {
                var rejected = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                rejected.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"invalid_token\", error_description=\"revoked\"");
                return rejected;
            }

            return MockServer.Ok();
        }, o => o.ClientSecret = "s");
        using var _ = services;
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").PostAsync(new Uri("https://api.example/orders"), new StringContent("{}"));

        var api = seen.Where(r => r.Uri.Host == "api.example").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(tokens, Is.EqualTo(2));
            Assert.That(api.Select(r => r.Authorization), Is.EqualTo(new[] { "DPoP token-1", "DPoP token-2" }));
            Assert.That(api[1].Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth("token-2")));
            Assert.That(api[1].Verified.Claim("jti"), Is.Not.EqualTo(api[0].Verified.Claim("jti")));
            Assert.That(api[1].Body, Is.EqualTo("{}"));
        });
    }

    [Test]
    public async Task InvalidTokenTwice_RetriesOnlyOnce()
    {
        var tokens = 0;
        var (services, seen) = Build((request, _) =>
        {
            if (request.Uri.AbsoluteUri == TokenEndpoint)
            {
                return TokenResponse("token-" + Interlocked.Increment(ref tokens));
            }

            var rejected = new HttpResponseMessage(HttpStatusCode.Unauthorized);
            rejected.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"invalid_token\"");
            return rejected;
        }, o => o.ClientSecret = "s");
        using var _ = services;
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/orders"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(seen.Count(r => r.Uri.Host == "api.example"), Is.EqualTo(2));
            Assert.That(tokens, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task ClientSecretBasic_FormUrlEncodesCredentials()
    {
        var (services, seen) = Build((request, _) => request.Uri.AbsoluteUri == TokenEndpoint ? TokenResponse("t") : MockServer.Ok(),
            o => { o.ClientId = "client id:1"; o.ClientSecret = "s&cret/+"; });
        using var _ = services;
        (await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"))).Dispose();

        var tokenRequest = seen.First(r => r.Uri.AbsoluteUri == TokenEndpoint);
        var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(tokenRequest.Authorization!["Basic ".Length..]));
        Assert.Multiple(() =>
        {
            Assert.That(decoded, Is.EqualTo("client%20id%3A1:s%26cret%2F%2B"));
            Assert.That(tokenRequest.Body, Does.Contain("grant_type=client_credentials").And.Not.Contains("client_secret"));
            Assert.That(tokenRequest.Verified.HasClaim("ath"), Is.False);
        });
    }

    [Test]
    public async Task ClientSecretPost_SendsCredentialsInTheForm_WithScopeResourcesAndAudience()
    {
        var (services, seen) = Build((request, _) => request.Uri.AbsoluteUri == TokenEndpoint ? TokenResponse("t") : MockServer.Ok(), o =>
        {
            o.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost;
            o.ClientSecret = "s";
            o.Scope = "a b";
            o.Resources.Add("https://api.example/");
            o.Resources.Add("urn:other");
            o.Audience = "aud-1";
        });
        using var _ = services;
        (await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"))).Dispose();

        var form = System.Web.HttpUtility.ParseQueryString(seen.First(r => r.Uri.AbsoluteUri == TokenEndpoint).Body!);
        Assert.Multiple(() =>
        {
            Assert.That(form["client_id"], Is.EqualTo("client-1"));
            Assert.That(form["client_secret"], Is.EqualTo("s"));
            Assert.That(form["scope"], Is.EqualTo("a b"));
            Assert.That(form.GetValues("resource"), Is.EqualTo(new[] { "https://api.example/", "urn:other" }));
            Assert.That(form["audience"], Is.EqualTo("aud-1"));
        });
    }

    [Test]
    public async Task PrivateKeyJwt_SendsAVerifiableClientAssertion()
    {
        using var clientKey = DPoPKey.Generate(DPoPAlgorithms.RS256);
        var (services, seen) = Build((request, _) => request.Uri.AbsoluteUri == TokenEndpoint ? TokenResponse("t") : MockServer.Ok(), o =>
        {
            o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientAssertionKey = clientKey.PrivateKeyPem;
            o.ClientAssertionKeyId = "key-7";
        });
        using var _ = services;
        (await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"))).Dispose();

        var tokenRequest = seen.First(r => r.Uri.AbsoluteUri == TokenEndpoint);
        var form = System.Web.HttpUtility.ParseQueryString(tokenRequest.Body!);
        var result = await new JsonWebTokenHandler().ValidateTokenAsync(form["client_assertion"], new TokenValidationParameters
        {
            IssuerSigningKey = new JsonWebKey(System.Text.Json.JsonSerializer.Serialize(clientKey.PublicJwk)) { KeyId = "key-7" },
            ValidIssuer = "client-1",
            ValidAudience = TokenEndpoint,
        });
        var assertion = (JsonWebToken)result.SecurityToken;
        var dpopKey = await services.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync("api", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(result.IsValid, Is.True, result.Exception?.Message);
            Assert.That(form["client_assertion_type"], Is.EqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            Assert.That(assertion.Subject, Is.EqualTo("client-1"));
            Assert.That(assertion.Kid, Is.EqualTo("key-7"));
            Assert.That(assertion.Id, Is.Not.Empty);
            Assert.That(tokenRequest.Authorization, Is.Null);
            Assert.That(DPoPKey.ComputeJwkThumbprint(tokenRequest.Verified.JwkJson), Is.EqualTo(dpopKey.JwkThumbprint), "the proof is signed by the DPoP key, not the client key");
        });
    }

    [Test]
    public async Task AllowedBearerToken_IsSentAsBearer_WithAProofWithoutAth()
    {
        var (services, seen) = Build((request, _) => request.Uri.AbsoluteUri == TokenEndpoint ? TokenResponse("plain", "Bearer") : MockServer.Ok(), o =>
        {
            o.ClientSecret = "s";
            o.AllowBearerTokens = true;
        });
        using var _ = services;
        (await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"))).Dispose();

        var api = seen.Single(r => r.Uri.Host == "api.example");
        Assert.Multiple(() =>
        {
            Assert.That(api.Authorization, Is.EqualTo("Bearer plain"));
            Assert.That(api.Verified.HasClaim("ath"), Is.False);
        });
    }

    [TestCase("{\"token_type\":\"DPoP\"}", TestName = "TokenResponse_NoAccessToken")]
    [TestCase("not json", TestName = "TokenResponse_NotJson")]
    [TestCase("{\"access_token\":\"a b\",\"token_type\":\"DPoP\"}", TestName = "TokenResponse_TokenWithSpace")]
    [TestCase("{\"access_token\":\"t\",\"token_type\":\"mac\"}", TestName = "TokenResponse_UnknownType")]
    public void MalformedTokenResponse_ThrowsDPoPTokenException(string body)
    {
        var (services, _) = Build((request, _) => new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(body) }, o => o.ClientSecret = "s");
        using var __ = services;
        Assert.That(async () => await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x")),
            Throws.TypeOf<DPoPTokenException>());
    }

    [Test]
    public async Task RefreshToken_GoesThroughTheDPoPClient()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => new HttpResponseMessage(HttpStatusCode.OK)
        {
            Content = new StringContent("{\"access_token\":\"new\",\"token_type\":\"dpop\",\"expires_in\":\"60\",\"refresh_token\":\"r2\"}"),
        });
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var client = new DPoPTokenClient(http, new DPoPTokenClientOptions { TokenEndpoint = new Uri(TokenEndpoint), ClientId = "public-app", ClientAuthentication = DPoPClientAuthenticationMethod.None });

        var response = await client.RefreshTokenAsync("r1");

        var form = System.Web.HttpUtility.ParseQueryString(seen.Single().Body!);
        Assert.Multiple(() =>
        {
            Assert.That(response.AccessToken, Is.EqualTo("new"));
            Assert.That(response.IsDPoPBound, Is.True);
            Assert.That(response.RefreshToken, Is.EqualTo("r2"));
            Assert.That(response.ExpiresIn, Is.EqualTo(TimeSpan.FromSeconds(60)));
            Assert.That(response.ToString(), Does.Not.Contain("new").And.Not.Contains("r2"));
            Assert.That(form["grant_type"], Is.EqualTo("refresh_token"));
            Assert.That(form["refresh_token"], Is.EqualTo("r1"));
            Assert.That(form["client_id"], Is.EqualTo("public-app"));
            Assert.That(DPoPKey.ComputeJwkThumbprint(seen.Single().Verified.JwkJson), Is.EqualTo(key.JwkThumbprint));
        });
    }

    [Test]
    public void DPoPJkt_IsAddedToAuthorizationAndParRequests()
    {
        using var key = DPoPKey.Generate();
        var uri = DPoPAuthorizationRequests.AddDPoPJkt(new Uri("https://as.example/authorize?client_id=app&dpop_jkt=stale&state=x"), key);
        var par = DPoPAuthorizationRequests.CreatePushedAuthorizationContent([new("client_id", "app"), new("dpop_jkt", "stale")], key).ReadAsStringAsync().Result;

        var query = System.Web.HttpUtility.ParseQueryString(uri.Query);
        Assert.Multiple(() =>
        {
            Assert.That(query.GetValues("dpop_jkt"), Is.EqualTo(new[] { key.JwkThumbprint }));
            Assert.That(query["client_id"], Is.EqualTo("app"));
            Assert.That(query["state"], Is.EqualTo("x"));
            Assert.That(System.Web.HttpUtility.ParseQueryString(par).GetValues("dpop_jkt"), Is.EqualTo(new[] { key.JwkThumbprint }));
        });
    }

    [Test]
    public void Options_ToString_HidesSecrets()
    {
        var options = new DPoPTokenClientOptions { TokenEndpoint = new Uri(TokenEndpoint), ClientId = "c", ClientSecret = "hidden-secret", ClientAssertionKey = "hidden-key" };
        Assert.That(options.ToString(), Does.Not.Contain("hidden"));
    }
}

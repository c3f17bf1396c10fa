using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Tokens;

/// <summary>Token exchange (RFC 8693): <see cref="DPoPTokenClient.ExchangeTokenAsync"/> and <c>AddDPoPTokenExchange()</c> as an HttpClient's token source.</summary>
public sealed class TokenExchangeTokenTests
{
    private const string TokenEndpoint = "https://as.example/token";
    private static readonly HttpRequestOptionsKey<string> CallerToken = new("caller-token");

    private static HttpResponseMessage TokenResponse(string token, int expiresIn = 300) => new(HttpStatusCode.OK)
    {
        Content = new StringContent($"{{\"access_token\":\"{token}\",\"issued_token_type\":\"urn:ietf:params:oauth:token-type:access_token\",\"token_type\":\"DPoP\",\"expires_in\":{expiresIn}}}", Encoding.UTF8, "application/json"),
    };

    private static NameValueCollection Form(SeenRequest request) => System.Web.HttpUtility.ParseQueryString(request.Body!);

    private static (ServiceProvider Services, ConcurrentQueue<SeenRequest> Seen) Build(Func<SeenRequest, HttpResponseMessage> respondApi)
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        var exchanges = 0;
        var mock = MockServer.Create(seen, (request, _) => request.Uri.AbsoluteUri == TokenEndpoint
            ? TokenResponse($"downstream-{Form(request)["subject_token"]}-{Interlocked.Increment(ref exchanges)}")
            : respondApi(request));
        var services = new ServiceCollection();
        services.AddHttpClient("downstream").AddDPoP().AddDPoPTokenExchange(
            o =>
            {
                o.TokenEndpoint = new Uri(TokenEndpoint);
                o.ClientId = "api";
                o.ClientSecret = "s";
            },
            (request, _) => ValueTask.FromResult(request.Options.TryGetValue(CallerToken, out var token) ? token : null),
            r =>
            {
                r.Audience = "urn:downstream";
                r.Scope = "orders:read";
            });
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("downstream")).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddHttpClient("downstream").ConfigurePrimaryHttpMessageHandler(() => mock);
        return (services.BuildServiceProvider(), seen);
    }

    private static async Task<HttpStatusCode> CallAsync(ServiceProvider services, string? callerToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("https://downstream.example/orders"));
        if (callerToken is not null)
        {
            request.Options.Set(CallerToken, callerToken);
        }

        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("downstream").SendAsync(request);
        return response.StatusCode;
    }

    [Test]
    public async Task ExchangeTokenAsync_SendsTheRFC8693Form_ThroughTheDPoPClient()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => TokenResponse("exchanged"));
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var client = new DPoPTokenClient(http, new DPoPTokenClientOptions { TokenEndpoint = new Uri(TokenEndpoint), ClientId = "api", ClientSecret = "s", ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost });

        var response = await client.ExchangeTokenAsync(new DPoPTokenExchangeRequest
        {
            SubjectToken = "caller",
            ActorToken = "actor",
            ActorTokenType = "urn:ietf:params:oauth:token-type:jwt",
            RequestedTokenType = DPoPTokenExchangeRequest.AccessTokenType,
            Audience = "urn:downstream",
            Resources = { "https://downstream.example/" },
            Scope = "orders:read",
            Parameters = { ["tenant"] = "t1" },
        });

        var form = Form(seen.Single());
        Assert.Multiple(() =>
        {
            Assert.That(response.AccessToken, Is.EqualTo("exchanged"));
            Assert.That(response.IsDPoPBound, Is.True);
            Assert.That(form["grant_type"], Is.EqualTo("urn:ietf:params:oauth:grant-type:token-exchange"));
            Assert.That(form["subject_token"], Is.EqualTo("caller"));
            Assert.That(form["subject_token_type"], Is.EqualTo("urn:ietf:params:oauth:token-type:access_token"));
            Assert.That(form["actor_token"], Is.EqualTo("actor"));
            Assert.That(form["actor_token_type"], Is.EqualTo("urn:ietf:params:oauth:token-type:jwt"));
            Assert.That(form["requested_token_type"], Is.EqualTo("urn:ietf:params:oauth:token-type:access_token"));
            Assert.That(form["audience"], Is.EqualTo("urn:downstream"));
            Assert.That(form["resource"], Is.EqualTo("https://downstream.example/"));
            Assert.That(form["scope"], Is.EqualTo("orders:read"));
            Assert.That(form["tenant"], Is.EqualTo("t1"));
            Assert.That(DPoPKey.ComputeJwkThumbprint(seen.Single().Verified.JwkJson), Is.EqualTo(key.JwkThumbprint));
        });
    }

    [TestCase(null, null, null, TestName = "ExchangeTokenAsync_NoSubjectToken_ThrowsArgumentException")]
    [TestCase("s", "a", null, TestName = "ExchangeTokenAsync_ActorTokenWithoutType_ThrowsArgumentException")]
    [TestCase("s", null, "urn:t", TestName = "ExchangeTokenAsync_ActorTypeWithoutToken_ThrowsArgumentException")]
    public void ExchangeTokenAsync_IncompleteRequest_ThrowsArgumentException(string? subject, string? actor, string? actorType)
    {
        using var http = new HttpClient();
        var client = new DPoPTokenClient(http, new DPoPTokenClientOptions { TokenEndpoint = new Uri(TokenEndpoint), ClientId = "api", ClientAuthentication = DPoPClientAuthenticationMethod.None });
        Assert.That(() => client.ExchangeTokenAsync(new DPoPTokenExchangeRequest { SubjectToken = subject, ActorToken = actor, ActorTokenType = actorType }),
            Throws.ArgumentException.With.Property(nameof(ArgumentException.ParamName)).EqualTo("request"));
    }

    [Test]
    public async Task AddDPoPTokenExchange_CachesPerSubjectToken()
    {
        var (services, seen) = Build(_ => MockServer.Ok());
        using var _ = services;

        await CallAsync(services, "alice");
        await CallAsync(services, "alice");
        await CallAsync(services, "bob");

        var exchanges = seen.Where(r => r.Uri.AbsoluteUri == TokenEndpoint).Select(Form).ToArray();
        var api = seen.Where(r => r.Uri.Host == "downstream.example").ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(exchanges.Select(f => f["subject_token"]), Is.EqualTo(new[] { "alice", "bob" }));
            Assert.That(exchanges.Select(f => f["audience"]), Is.All.EqualTo("urn:downstream"));
            Assert.That(exchanges.Select(f => f["scope"]), Is.All.EqualTo("orders:read"));
            Assert.That(api.Select(r => r.Authorization), Is.EqualTo(new[] { "DPoP downstream-alice-1", "DPoP downstream-alice-1", "DPoP downstream-bob-2" }));
            Assert.That(api[2].Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth("downstream-bob-2")));
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_ConcurrentRequestsForOneSubject_OneExchange()
    {
        var (services, seen) = Build(_ => MockServer.Ok());
        using var _ = services;

        var statuses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => CallAsync(services, "alice")));

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(seen.Count(r => r.Uri.AbsoluteUri == TokenEndpoint), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_NoSubjectToken_SendsNoTokenAndExchangesNothing()
    {
        var (services, seen) = Build(_ => MockServer.Ok());
        using var _ = services;

        await CallAsync(services, null);

        Assert.Multiple(() =>
        {
            Assert.That(seen.Single().Uri.Host, Is.EqualTo("downstream.example"));
            Assert.That(seen.Single().Authorization, Is.Null);
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_TokenRejected_ExchangesAgainAndRetriesOnce()
    {
        var (services, seen) = Build(request =>
        {
            if (request.Authorization == "DPoP downstream-alice-1")
            {
                var rejected = new HttpResponseMessage(HttpStatusCode.Unauthorized);
                rejected.Headers.TryAddWithoutValidation("WWW-Authenticate", "DPoP error=\"invalid_token\"");
                return rejected;
            }

            return MockServer.Ok();
        });
        using var _ = services;

        var status = await CallAsync(services, "alice");

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen.Where(r => r.Uri.Host == "downstream.example").Select(r => r.Authorization), Is.EqualTo(new[] { "DPoP downstream-alice-1", "DPoP downstream-alice-2" }));
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_FailedExchange_IsNotCached()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        var exchanges = 0;
        using var mock = MockServer.Create(seen, (request, _) => request.Uri.AbsoluteUri != TokenEndpoint ? MockServer.Ok()
            : Interlocked.Increment(ref exchanges) == 1
                ? new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("{\"error\":\"invalid_grant\"}") }
                : TokenResponse("second"));
        var services = new ServiceCollection();
        services.AddHttpClient("downstream").AddDPoP().AddDPoPTokenExchange(
            o =>
            {
                o.TokenEndpoint = new Uri(TokenEndpoint);
                o.ClientId = "api";
                o.ClientAuthentication = DPoPClientAuthenticationMethod.None;
            },
            (_, _) => ValueTask.FromResult<string?>("alice"));
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("downstream")).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddHttpClient("downstream").ConfigurePrimaryHttpMessageHandler(() => mock);
        using var provider = services.BuildServiceProvider();
        var http = provider.GetRequiredService<IHttpClientFactory>().CreateClient("downstream");

        var error = Assert.ThrowsAsync<DPoPTokenException>(() => http.GetAsync(new Uri("https://downstream.example/x")));
        using var second = await http.GetAsync(new Uri("https://downstream.example/x"));

        Assert.Multiple(() =>
        {
            Assert.That(error!.Error, Is.EqualTo("invalid_grant"));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen.Last().Authorization, Is.EqualTo("DPoP second"));
        });
    }

    [Test]
    public async Task ExchangedTokens_CountedOnCacheLookups_AndTokenRequests_ByTheTokenExchangeGrant()
    {
        var (services, _) = Build(_ => new HttpResponseMessage(HttpStatusCode.OK));
        using var disposeServices = services;
        var meters = services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>();
        using var lookups = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(meters, "DPoP.Http", "dpop.token.cache.lookups");
        using var requests = new Microsoft.Extensions.Diagnostics.Metrics.Testing.MetricCollector<long>(meters, "DPoP.Http", "dpop.token.requests");

        await CallAsync(services, "caller-a");
        await CallAsync(services, "caller-a");
        await CallAsync(services, "caller-b");

        const string grant = "urn:ietf:params:oauth:grant-type:token-exchange";
        Assert.Multiple(() =>
        {
            Assert.That(lookups.GetMeasurementSnapshot().Select(m => (string)m.Tags["dpop.cache.result"]!), Is.EqualTo(new[] { "miss", "hit", "miss" }));
            Assert.That(lookups.GetMeasurementSnapshot().Select(m => m.Tags["dpop.grant_type"]), Is.All.EqualTo(grant));
            Assert.That(requests.GetMeasurementSnapshot().Select(m => m.Tags["dpop.grant_type"]), Is.EqualTo(new[] { grant, grant }));
            Assert.That(requests.GetMeasurementSnapshot().Select(m => m.Tags["dpop.client"]), Is.All.EqualTo("downstream"));
        });
    }
}

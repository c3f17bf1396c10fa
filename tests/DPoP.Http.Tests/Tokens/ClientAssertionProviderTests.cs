using System.Collections.Concurrent;
using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.Tokens;

/// <summary>Pluggable client assertions (<see cref="IDPoPClientAssertionProvider"/>): with and without DI, and on the nonce retry.</summary>
public sealed class ClientAssertionProviderTests
{
    private const string TokenEndpoint = "https://as.example/token";

    private static HttpResponseMessage TokenResponse(string token) => new(HttpStatusCode.OK)
    {
        Content = new StringContent($"{{\"access_token\":\"{token}\",\"token_type\":\"DPoP\",\"expires_in\":300}}", Encoding.UTF8, "application/json"),
    };

    private static DPoPTokenClientOptions Options() => new()
    {
        TokenEndpoint = new Uri(TokenEndpoint),
        ClientId = "vault-client",
        ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt,
    };

    [Test]
    public async Task Provider_IsCalledAfresh_ForTheNonceRetry()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n-1") : TokenResponse("t"));
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var vault = new CountingAssertionProvider();
        var client = new DPoPTokenClient(http, Options(), clientAssertionProvider: vault);

        var response = await client.RequestClientCredentialsTokenAsync();

        var forms = seen.Select(r => System.Web.HttpUtility.ParseQueryString(r.Body!)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.AccessToken, Is.EqualTo("t"));
            Assert.That(forms.Select(f => f["client_assertion"]), Is.EqualTo(new[] { "assertion-1", "assertion-2" }));
            Assert.That(forms.Select(f => f["client_assertion_type"]), Is.All.EqualTo("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
            Assert.That(forms.Select(f => f["client_id"]), Is.All.EqualTo("vault-client"));
            Assert.That(seen.Last().Verified.Claim("nonce"), Is.EqualTo("n-1"));
            Assert.That(vault.Contexts.Select(c => (c.ClientId, c.Audience, c.TokenEndpoint.AbsoluteUri, c.GrantType)),
                Is.All.EqualTo(("vault-client", TokenEndpoint, TokenEndpoint, "client_credentials")));
        });
    }

    [Test]
    public async Task Provider_SeesTheGrantAndTheConfiguredAudience()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => TokenResponse("t"));
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var vault = new CountingAssertionProvider();
        var options = Options();
        options.ClientAssertionAudience = "https://as.example";
        var client = new DPoPTokenClient(http, options, clientAssertionProvider: vault);

        await client.RefreshTokenAsync("r1");

        Assert.That(vault.Contexts.Single(), Has.Property(nameof(DPoPClientAssertionContext.GrantType)).EqualTo("refresh_token")
            .And.Property(nameof(DPoPClientAssertionContext.Audience)).EqualTo("https://as.example"));
    }

    [Test]
    public async Task RevokeTokenAsync_PostsTheTokenToTheRevocationEndpoint_WithAFreshAssertion()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => new HttpResponseMessage(HttpStatusCode.OK));
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var vault = new CountingAssertionProvider();
        var options = Options();
        options.RevocationEndpoint = new Uri("https://as.example/revoke");
        var client = new DPoPTokenClient(http, options, clientAssertionProvider: vault);

        await client.RevokeTokenAsync("r1", "refresh_token");

        var request = seen.Single();
        var form = System.Web.HttpUtility.ParseQueryString(request.Body!);
        var context = vault.Contexts.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Uri.AbsoluteUri, Is.EqualTo("https://as.example/revoke"));
            Assert.That(form["token"], Is.EqualTo("r1"));
            Assert.That(form["token_type_hint"], Is.EqualTo("refresh_token"));
            Assert.That(form["client_assertion"], Is.EqualTo("assertion-1"));
            Assert.That(form["grant_type"], Is.Null);
            Assert.That(context.GrantType, Is.EqualTo("revocation"));
            Assert.That(context.TokenEndpoint.AbsoluteUri, Is.EqualTo("https://as.example/revoke"));
            Assert.That(context.Audience, Is.EqualTo(TokenEndpoint), "the assertion's audience is that of token requests");
            Assert.That(request.Verified.Claim("htu"), Is.EqualTo("https://as.example/revoke"));
        });
    }

    [Test]
    public void RevokeTokenAsync_WithoutRevocationEndpoint_ThrowsInvalidOperationException()
    {
        using var http = new HttpClient();
        var client = new DPoPTokenClient(http, Options(), clientAssertionProvider: new CountingAssertionProvider());
        Assert.That(() => client.RevokeTokenAsync("r1"), Throws.InvalidOperationException.With.Message.Contains("RevocationEndpoint"));
    }

    [Test]
    public void ProviderAndKey_AreRefused()
    {
        using var clientKey = DPoPKey.Generate();
        var options = Options();
        options.ClientAssertionKey = clientKey.PrivateKeyPem;
        using var http = new HttpClient();
        Assert.That(() => new DPoPTokenClient(http, options, clientAssertionProvider: new CountingAssertionProvider()),
            Throws.ArgumentException.With.Message.Contains("either a client assertion provider or a key"));
    }

    [Test]
    public async Task EmptyAssertion_FailsWithAClearMessage()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => TokenResponse("t"));
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var client = new DPoPTokenClient(http, Options(), clientAssertionProvider: new CountingAssertionProvider(empty: true));

        Assert.That(async () => await client.RequestClientCredentialsTokenAsync(), Throws.InvalidOperationException.With.Message.Contains("returned no assertion"));
        Assert.That(seen, Is.Empty);
    }

    [Test]
    public async Task AddDPoPClientAssertionProvider_SignsTheClientsTokenRequests()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (r, _) => r.Uri.AbsoluteUri == TokenEndpoint ? TokenResponse("t") : MockServer.Ok());
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP().AddDPoPClientAssertionProvider<CountingAssertionProvider>().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri(TokenEndpoint);
            o.ClientId = "vault-client";
            o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
        });
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("api")).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => mock);
        using var provider = services.BuildServiceProvider();

        (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"))).Dispose();

        var form = System.Web.HttpUtility.ParseQueryString(seen.First(r => r.Uri.AbsoluteUri == TokenEndpoint).Body!);
        Assert.That(form["client_assertion"], Is.EqualTo("assertion-1"));
    }

    [Test]
    public async Task AddDPoPClientAssertionProvider_PassesStartupValidationWithoutAKey()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHttpClient("api").AddDPoP().AddDPoPClientAssertionProvider<CountingAssertionProvider>().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri(TokenEndpoint);
            o.ClientId = "vault-client";
            o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
        });
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
        Assert.That(host.Services.GetRequiredService<IOptionsMonitor<DPoPTokenClientOptions>>().Get("api").ClientAssertionProvider, Is.TypeOf<CountingAssertionProvider>());
    }

    private sealed class CountingAssertionProvider(bool empty = false) : IDPoPClientAssertionProvider
    {
        private int _count;

        public CountingAssertionProvider()
            : this(false)
        {
        }

        public ConcurrentQueue<DPoPClientAssertionContext> Contexts { get; } = new();

        public ValueTask<string> CreateAssertionAsync(DPoPClientAssertionContext context, CancellationToken cancellationToken)
        {
            Contexts.Enqueue(context);
            return ValueTask.FromResult(empty ? string.Empty : "assertion-" + Interlocked.Increment(ref _count));
        }
    }
}

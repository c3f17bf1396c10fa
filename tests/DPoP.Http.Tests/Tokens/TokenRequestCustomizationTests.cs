using System.Collections.Concurrent;
using System.Collections.Specialized;
using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.Tokens;

/// <summary>Extra token request parameters (options, configuration, per call) and the token request hook, for every grant.</summary>
public sealed class TokenRequestCustomizationTests
{
    private const string TokenEndpoint = "https://as.example/token";

    private static HttpResponseMessage TokenResponse() => new(HttpStatusCode.OK)
    {
        Content = new StringContent("{\"access_token\":\"t\",\"token_type\":\"DPoP\",\"expires_in\":300}", Encoding.UTF8, "application/json"),
    };

    private static DPoPTokenClientOptions Options() => new()
    {
        TokenEndpoint = new Uri(TokenEndpoint),
        ClientId = "app",
        ClientSecret = "s",
        ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretPost,
        Scope = "configured",
    };

    private static (DPoPTokenClient Client, ConcurrentQueue<SeenRequest> Seen, IDisposable Resources) Create(
        DPoPTokenClientOptions options, Func<DPoPTokenRequestContext, CancellationToken, ValueTask>? hook = null, Func<SeenRequest, int, HttpResponseMessage>? respond = null, IDPoPClientAssertionProvider? assertions = null)
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        var mock = MockServer.Create(seen, respond ?? ((_, _) => TokenResponse()));
        var key = DPoPKey.Generate();
        var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        return (new DPoPTokenClient(http, options, clientAssertionProvider: assertions, onTokenRequest: hook), seen, new Disposables(http, key, mock));
    }

    private static NameValueCollection Form(SeenRequest request) => System.Web.HttpUtility.ParseQueryString(request.Body!);

    [Test]
    public async Task OptionsAndCallParameters_AreSent_TheCallOverridingTheOptions()
    {
        var options = Options();
        options.Parameters["tenant"] = "configured";
        options.Parameters["region"] = "eu";
        var (client, seen, resources) = Create(options);
        using var _ = resources;

        await client.RequestClientCredentialsTokenAsync(new Dictionary<string, string> { ["tenant"] = "per-call" });

        var form = Form(seen.Single());
        Assert.Multiple(() =>
        {
            Assert.That(form.GetValues("tenant"), Is.EqualTo(new[] { "per-call" }));
            Assert.That(form["region"], Is.EqualTo("eu"));
            Assert.That(form["scope"], Is.EqualTo("configured"));
            Assert.That(form["grant_type"], Is.EqualTo("client_credentials"));
        });
    }

    [Test]
    public async Task Hook_SeesEveryGrant_AndSetsScopeResourceAndParametersPerRequest()
    {
        var grants = new ConcurrentQueue<string>();
        var (client, seen, resources) = Create(Options(), (context, _) =>
        {
            grants.Enqueue(context.GrantType);
            context.Scope = "scope-for-" + context.GrantType;
            context.Resources.Add("https://api.example/");
            context.Parameters["hooked"] = context.ClientId;
            return ValueTask.CompletedTask;
        });
        using var _ = resources;

        await client.RequestClientCredentialsTokenAsync();
        await client.RefreshTokenAsync("r1", null, new Dictionary<string, string> { ["device"] = "d1" });
        await client.ExchangeAuthorizationCodeAsync("c1", new Uri("https://app.example/cb"), "verifier");

        var forms = seen.Select(Form).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(grants, Is.EqualTo(new[] { "client_credentials", "refresh_token", "authorization_code" }));
            Assert.That(forms.Select(f => f["scope"]), Is.EqualTo(new[] { "scope-for-client_credentials", "scope-for-refresh_token", "scope-for-authorization_code" }));
            Assert.That(forms.Select(f => f["resource"]), Is.All.EqualTo("https://api.example/"));
            Assert.That(forms.Select(f => f["hooked"]), Is.All.EqualTo("app"));
            Assert.That(forms[1]["device"], Is.EqualTo("d1"));
            Assert.That(forms[1]["refresh_token"], Is.EqualTo("r1"));
            Assert.That(forms[2]["code"], Is.EqualTo("c1"));
            Assert.That(forms[2]["code_verifier"], Is.EqualTo("verifier"));
        });
    }

    [Test]
    public async Task Hook_RunsOncePerRequest_AndItsParametersAreResentOnTheNonceRetry()
    {
        var calls = 0;
        var options = Options();
        options.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
        options.ClientSecret = null;
        var (client, seen, resources) = Create(options, (context, _) =>
        {
            Interlocked.Increment(ref calls);
            context.Parameters["tenant"] = "t1";
            return ValueTask.CompletedTask;
        }, (_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n1") : TokenResponse(), new FixedAssertions());
        using var _ = resources;

        await client.RequestClientCredentialsTokenAsync();

        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(1));
            Assert.That(seen.Select(r => Form(r)["tenant"]), Is.EqualTo(new[] { "t1", "t1" }));
        });
    }

    [TestCase("grant_type")]
    [TestCase("client_assertion")]
    [TestCase("client_secret")]
    [TestCase("refresh_token")]
    [TestCase("code")]
    [TestCase("subject_token")]
    [TestCase("scope")]
    [TestCase("resource")]
    public void ReservedCallParameter_ThrowsArgumentException_BeforeSending(string name)
    {
        var (client, seen, resources) = Create(Options());
        using var _ = resources;

        var error = Assert.ThrowsAsync<ArgumentException>(() => client.RequestClientCredentialsTokenAsync(new Dictionary<string, string> { [name] = "x" }))!;

        Assert.Multiple(() =>
        {
            Assert.That(error.ParamName, Is.EqualTo("parameters"));
            Assert.That(error.Message, Does.Contain($"'{name}' is reserved"));
            Assert.That(seen, Is.Empty);
        });
    }

    [Test]
    public void ReservedParameterSetByTheHook_ThrowsArgumentException_BeforeSending()
    {
        var (client, seen, resources) = Create(Options(), (context, _) =>
        {
            context.Parameters["client_id"] = "someone-else";
            return ValueTask.CompletedTask;
        });
        using var _ = resources;

        Assert.That(() => client.RefreshTokenAsync("r1"), Throws.ArgumentException.With.Message.Contains("token request hook of client 'app'").And.Message.Contains("'client_id' is reserved"));
        Assert.That(seen, Is.Empty);
    }

    [Test]
    public void ReservedOptionsParameter_IsRefusedByTheConstructor()
    {
        var options = Options();
        options.Parameters["code"] = "x";
        using var http = new HttpClient();
        Assert.That(() => new DPoPTokenClient(http, options), Throws.ArgumentException.With.Message.Contains("Parameters: The parameter 'code' is reserved"));
    }

    [Test]
    public void ReservedOptionsParameter_FailsStartup()
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHttpClient("orders-api").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri(TokenEndpoint);
            o.ClientId = "c";
            o.ClientSecret = "s";
            o.Parameters["grant_type"] = "password";
        });
        using var host = builder.Build();

        Assert.That(async () => await host.StartAsync(), Throws.TypeOf<OptionsValidationException>()
            .With.Message.Contains("HttpClient 'orders-api': Parameters: The parameter 'grant_type' is reserved"));
    }

    [Test]
    public async Task ParametersFromConfiguration_AndDIHooks_ReachTheTokenRequest()
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (r, _) => r.Uri.AbsoluteUri == TokenEndpoint ? TokenResponse() : MockServer.Ok());
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Token:TokenEndpoint"] = TokenEndpoint,
            ["Token:ClientId"] = "app",
            ["Token:ClientSecret"] = "s",
            ["Token:Parameters:tenant"] = "from-config",
        }).Build();
        var order = new ConcurrentQueue<string>();
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP().AddDPoPClientCredentialsToken(configuration.GetSection("Token"))
            .AddDPoPTokenRequestHook((context, _) =>
            {
                order.Enqueue("first");
                context.Parameters["tenant"] += "+first";
                return ValueTask.CompletedTask;
            })
            .AddDPoPTokenRequestHook((context, _) =>
            {
                order.Enqueue("second");
                context.Audience = "urn:orders";
                return ValueTask.CompletedTask;
            });
        services.AddHttpClient(DPoPClientRegistry.TokenClientName("api")).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddHttpClient("api").ConfigurePrimaryHttpMessageHandler(() => mock);
        using var provider = services.BuildServiceProvider();

        (await provider.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri("https://api.example/x"))).Dispose();

        var form = Form(seen.First(r => r.Uri.AbsoluteUri == TokenEndpoint));
        Assert.Multiple(() =>
        {
            Assert.That(order, Is.EqualTo(new[] { "first", "second" }));
            Assert.That(form["tenant"], Is.EqualTo("from-config+first"));
            Assert.That(form["audience"], Is.EqualTo("urn:orders"));
        });
    }

    private sealed class FixedAssertions : IDPoPClientAssertionProvider
    {
        private int _count;

        public ValueTask<string> CreateAssertionAsync(DPoPClientAssertionContext context, CancellationToken cancellationToken) =>
            ValueTask.FromResult("a" + Interlocked.Increment(ref _count));
    }

    private sealed class Disposables(params IDisposable[] items) : IDisposable
    {
        public void Dispose()
        {
            foreach (var item in items)
            {
                item.Dispose();
            }
        }
    }
}

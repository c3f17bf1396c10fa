using System.Net;
using System.Security.Cryptography.X509Certificates;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// The token endpoint's HttpClient is the app's to configure (<c>ConfigureDPoPTokenEndpointClient()</c>): a client
/// certificate for mutual TLS (RFC 8705 <c>tls_client_auth</c>) against a Kestrel token endpoint on 127.0.0.1 that
/// requires one, and a resilience handler that wraps the DPoP handler whatever the order of the calls.
/// </summary>
[Category("Integration")]
public sealed class TokenEndpointClientTests
{
    private static ServiceProvider Build(
        MutualTlsTokenServer server,
        X509Certificate2? certificate,
        Action<IHttpClientBuilder>? configureTokenClient = null,
        bool configureFirst = false,
        FakeLogCollector? logs = null)
    {
        var services = new ServiceCollection();
        if (logs is not null)
        {
            services.AddLogging(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(new FakeLoggerProvider(logs)));
        }

        var api = services.AddHttpClient("orders", c => c.BaseAddress = server.ApiBaseAddress)
            .ConfigurePrimaryHttpMessageHandler(() => server.CreateHandler())
            .AddDPoP();
        void ConfigureTokenClient() => api.ConfigureDPoPTokenEndpointClient(token =>
        {
            token.ConfigurePrimaryHttpMessageHandler(() => server.CreateHandler(certificate));
            configureTokenClient?.Invoke(token);
        });

        if (configureFirst)
        {
            ConfigureTokenClient();
        }

        api.AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = server.TokenEndpoint;
            o.ClientId = MutualTlsTokenServer.ClientId;
            o.ClientAuthentication = DPoPClientAuthenticationMethod.TlsClientAuth;
        });
        if (!configureFirst)
        {
            ConfigureTokenClient();
        }

        return services.BuildServiceProvider();
    }

    private static async Task<HttpStatusCode> CallApiAsync(ServiceProvider services)
    {
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri("orders", UriKind.Relative));
        return response.StatusCode;
    }

    [Test]
    public async Task TlsClientAuth_WithTheClientCertificate_GetsABoundToken_ThatTheApiCallCarries()
    {
        await using var server = await MutualTlsTokenServer.StartAsync();
        using var services = Build(server, server.ClientCertificate);

        var first = await CallApiAsync(services);
        var second = await CallApiAsync(services);

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(HttpStatusCode.OK), string.Join("; ", server.Rejections));
            Assert.That(second, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.TokensIssued, Is.EqualTo(1), "cached for the second call");
            Assert.That(server.ApiCallsAccepted, Is.EqualTo(2), "DPoP token with a proof of its key");
            Assert.That(server.Rejections, Is.Empty);
        });
    }

    [Test]
    public async Task TlsClientAuth_WithoutACertificate_FailsTheTokenRequest_AndNoTokenIsIssued()
    {
        await using var server = await MutualTlsTokenServer.StartAsync();
        using var services = Build(server, certificate: null);

        Assert.ThrowsAsync(Is.InstanceOf<HttpRequestException>(), () => CallApiAsync(services));
        Assert.Multiple(() =>
        {
            Assert.That(server.TokensIssued, Is.Zero);
            Assert.That(server.ApiCallsAccepted, Is.Zero);
        });
    }

    [Test]
    public async Task TlsClientAuth_WithAnotherCertificate_FailsTheTokenRequest_AndNoTokenIsIssued()
    {
        await using var server = await MutualTlsTokenServer.StartAsync();
        using var stranger = TestCertificates.CreateClient(MutualTlsTokenServer.ClientId);
        using var services = Build(server, stranger);

        Assert.ThrowsAsync(Is.InstanceOf<HttpRequestException>(), () => CallApiAsync(services));
        Assert.Multiple(() =>
        {
            Assert.That(server.TokensIssued, Is.Zero);
            Assert.That(server.ApiCallsAccepted, Is.Zero);
        });
    }

    [TestCase(true, TestName = "ResilienceOnTheTokenClient_ConfiguredBeforeTheTokenRegistration_RetriesWithAFreshProof")]
    [TestCase(false, TestName = "ResilienceOnTheTokenClient_ConfiguredAfterTheTokenRegistration_RetriesWithAFreshProof")]
    public async Task ResilienceOnTheTokenClient_RetriesWithAFreshProof(bool configureFirst)
    {
        await using var server = await MutualTlsTokenServer.StartAsync();
        server.FailNextTokenRequests(1);
        var logs = new FakeLogCollector();
        using var services = Build(
            server,
            server.ClientCertificate,
            token => token.AddStandardResilienceHandler(o => o.Retry.Delay = TimeSpan.FromMilliseconds(10)),
            configureFirst,
            logs);

        var status = await CallApiAsync(services);

        var jtis = server.TokenRequestJtis.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), string.Join("; ", server.Rejections));
            Assert.That(server.TokensIssued, Is.EqualTo(1));
            Assert.That(jtis, Has.Length.EqualTo(2), "503, then the retry");
            Assert.That(jtis, Is.Unique, "each attempt has its own proof");
            Assert.That(server.Rejections, Is.Empty, "no replayed proof");
            Assert.That(logs.GetSnapshot().Select(r => r.Message), Has.None.Contains("registered inside"));
        });
    }

    [TestCase(true)]
    [TestCase(false)]
    public void TokenClientPipeline_DPoPHandlerIsInnermost_WhateverTheOrder(bool configureFirst)
    {
        var services = new ServiceCollection();
        var api = services.AddHttpClient("orders").AddDPoP();
        void Configure() => api.ConfigureDPoPTokenEndpointClient(token => token.AddStandardResilienceHandler());
        if (configureFirst)
        {
            Configure();
        }

        api.AddDPoPClientCredentialsToken(o => { o.TokenEndpoint = new Uri("https://as.example/token"); o.ClientId = "c"; o.ClientSecret = "s"; });
        if (!configureFirst)
        {
            Configure();
        }

        using var provider = services.BuildServiceProvider();
        var handlers = new List<HttpMessageHandler>();
        for (HttpMessageHandler? handler = provider.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(DPoPClientRegistry.TokenClientName("orders"));
             handler is not null;
             handler = (handler as DelegatingHandler)?.InnerHandler)
        {
            handlers.Add(handler);
        }

        var names = handlers.Select(h => h.GetType().Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names.Count(n => n == nameof(DPoPDelegatingHandler)), Is.EqualTo(1), string.Join(" > ", names));
            // Only IHttpClientFactory's own request logger may sit between DPoP and the primary handler.
            Assert.That(names.Skip(names.IndexOf(nameof(DPoPDelegatingHandler)) + 1).SkipLast(1), Is.All.EqualTo("LoggingHttpMessageHandler"), "innermost: " + string.Join(" > ", names));
            Assert.That(names.IndexOf("ResilienceHandler"), Is.GreaterThanOrEqualTo(0).And.LessThan(names.IndexOf(nameof(DPoPDelegatingHandler))));
        });
    }

    [Test]
    public void ReplacedPrimaryHandler_HasAutomaticRedirectsOff_OnceTheClientIsBuilt()
    {
        var primary = new SocketsHttpHandler();
        var services = new ServiceCollection();
        services.AddHttpClient("orders").AddDPoP()
            .ConfigureDPoPTokenEndpointClient(token => token.ConfigurePrimaryHttpMessageHandler(() => primary))
            .AddDPoPClientCredentialsToken(o => { o.TokenEndpoint = new Uri("https://as.example/token"); o.ClientId = "c"; o.ClientSecret = "s"; });
        using var provider = services.BuildServiceProvider();

        using var client = provider.GetRequiredService<IHttpClientFactory>().CreateClient(DPoPClientRegistry.TokenClientName("orders"));

        Assert.That(primary.AllowAutoRedirect, Is.False);
    }
}

using System.Collections.Concurrent;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace DPoP.Http.Tests.Tokens;

/// <summary>RFC 8705 §2 client authentication: the TLS client certificate authenticates, the form names the client, no secret or key is needed.</summary>
public sealed class MutualTlsClientAuthenticationTests
{
    [TestCase(DPoPClientAuthenticationMethod.TlsClientAuth)]
    [TestCase(DPoPClientAuthenticationMethod.SelfSignedTlsClientAuth)]
    public async Task MutualTls_WithoutSecretOrKey_PassesStartupValidation(DPoPClientAuthenticationMethod method)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Services.AddHttpClient("orders").AddDPoP().AddDPoPClientCredentialsToken(o =>
        {
            o.TokenEndpoint = new Uri("https://as.example/token");
            o.ClientId = "orders-worker";
            o.ClientAuthentication = method;
        });
        using var host = builder.Build();

        await host.StartAsync();
        await host.StopAsync();
    }

    [TestCase("TlsClientAuth", DPoPClientAuthenticationMethod.TlsClientAuth)]
    [TestCase("SelfSignedTlsClientAuth", DPoPClientAuthenticationMethod.SelfSignedTlsClientAuth)]
    public void ClientAuthentication_BindsFromConfiguration(string configured, DPoPClientAuthenticationMethod expected)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orders:Token:TokenEndpoint"] = "https://as.example/token",
            ["Orders:Token:ClientId"] = "orders-worker",
            ["Orders:Token:ClientAuthentication"] = configured,
        }).Build();
        var services = new ServiceCollection();
        services.AddHttpClient("orders").AddDPoP().AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"));
        using var provider = services.BuildServiceProvider();

        var options = provider.GetRequiredService<IOptionsMonitor<DPoPTokenClientOptions>>().Get("orders");

        Assert.That(options.ClientAuthentication, Is.EqualTo(expected));
    }

    [TestCase(DPoPClientAuthenticationMethod.TlsClientAuth)]
    [TestCase(DPoPClientAuthenticationMethod.SelfSignedTlsClientAuth)]
    public async Task MutualTls_TokenRequestForm_NamesTheClientOnly(DPoPClientAuthenticationMethod method)
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, _) => MockServer.Ok(body: """{"access_token":"at","token_type":"DPoP","expires_in":60}"""));
        using var http = new HttpClient(mock);
        var client = new DPoPTokenClient(http, new DPoPTokenClientOptions
        {
            TokenEndpoint = new Uri("https://as.example/token"),
            ClientId = "orders-worker",
            ClientSecret = "never-sent",
            ClientAuthentication = method,
            Scope = "orders",
        });

        await client.RequestClientCredentialsTokenAsync();

        var request = seen.Single();
        Assert.Multiple(() =>
        {
            Assert.That(request.Body, Is.EqualTo("grant_type=client_credentials&scope=orders&client_id=orders-worker"));
            Assert.That(request.Authorization, Is.Null);
        });
    }
}

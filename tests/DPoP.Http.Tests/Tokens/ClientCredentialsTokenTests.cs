using System.Net;
using System.Text.Json;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;
using DemoServerOptions = DPoP.Http.DemoServer.DemoServerOptions;

namespace DPoP.Http.Tests.Tokens;

/// <summary>AddDPoPClientCredentialsToken() against the demo authorization and resource server on 127.0.0.1.</summary>
[Category("Integration")]
public sealed class ClientCredentialsTokenTests
{
    private static ServiceProvider Build(DemoServerHost server, Action<DPoPTokenClientOptions>? configure = null, TimeProvider? time = null, string algorithm = DPoPAlgorithms.ES256)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHttpClient("orders", c => c.BaseAddress = server.ApiBaseAddress)
            .AddDPoP(o => o.Algorithm = algorithm)
            .AddDPoPClientCredentialsToken(o =>
            {
                o.TokenEndpoint = server.TokenEndpoint;
                o.ClientId = "demo-client";
                o.ClientSecret = "demo-secret";
                o.Scope = "orders";
                configure?.Invoke(o);
            });
        return services.BuildServiceProvider();
    }

    private static async Task<(HttpStatusCode Status, string Body)> GetAsync(ServiceProvider services, string path = "orders")
    {
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("orders").GetAsync(new Uri(path, UriKind.Relative));
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [TestCase(DPoPClientAuthenticationMethod.ClientSecretBasic)]
    [TestCase(DPoPClientAuthenticationMethod.ClientSecretPost)]
    public async Task Token_AcquiredThroughNonceChallenge_BoundToTheApiClientsKey_AndCached(DPoPClientAuthenticationMethod method)
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = Build(server, o => o.ClientAuthentication = method);

        var first = await GetAsync(services);
        var second = await GetAsync(services, "orders/2");

        using var echo = JsonDocument.Parse(first.Body);
        var key = await services.GetRequiredService<IDPoPKeyProvider>().GetKeyAsync("orders", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(second.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(echo.RootElement.GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
            Assert.That(server.Statistics.TokensIssued, Is.EqualTo(1), "cached for the second call");
            Assert.That(server.Statistics.TokenRequests, Is.EqualTo(2), "the token endpoint's nonce challenge, then the token");
            Assert.That(server.Statistics.Rejections, Is.Zero);
        });
    }

    [Test]
    public async Task Token_RenewedShortlyBeforeExpiry()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var server = await DemoServerHost.StartAsync(new DemoServerOptions { TimeProvider = time, AccessTokenLifetime = TimeSpan.FromMinutes(5), NonceLifetime = TimeSpan.FromHours(1) });
        using var services = Build(server, o => o.RefreshBeforeExpiry = TimeSpan.FromSeconds(60), time);

        await GetAsync(services);
        time.Advance(TimeSpan.FromMinutes(3.9));
        await GetAsync(services);
        var beforeRenewal = server.Statistics.TokensIssued;
        time.Advance(TimeSpan.FromMinutes(0.2)); // 4.1 min: inside the 60 s renewal margin, token still valid at the server
        var renewed = await GetAsync(services);
        await ((ClientCredentialsTokenProvider)services.GetRequiredKeyedService<IDPoPAccessTokenProvider>("orders")).WhenRenewalSettled; // renewed in the background

        Assert.Multiple(() =>
        {
            Assert.That(beforeRenewal, Is.EqualTo(1));
            Assert.That(server.Statistics.TokensIssued, Is.EqualTo(2));
            Assert.That(renewed.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Statistics.Rejections, Is.Zero, "never sent an expired token");
        });
    }

    [Test]
    public async Task HundredConcurrentCalls_SendOneTokenRequest()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = Build(server);
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("orders");

        var statuses = await Task.WhenAll(Enumerable.Range(0, 100).Select(async i =>
        {
            using var response = await client.GetAsync(new Uri($"orders/{i}", UriKind.Relative));
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Statistics.TokensIssued, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task BearerAnswer_IsRefusedWithATypedError()
    {
        await using var server = await DemoServerHost.StartAsync(new DemoServerOptions { IssueBearerTokens = true });
        using var services = Build(server);

        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => GetAsync(services));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo("unexpected_token_type"));
            Assert.That(ex.Message, Does.Contain("'Bearer'").And.Contain("AllowBearerTokens").And.Contain("demo-client"));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [Test]
    public async Task WrongSecret_SurfacesTheOAuthErrorWithoutTheSecret()
    {
        await using var server = await DemoServerHost.StartAsync();
        using var services = Build(server, o => o.ClientSecret = "wrong-secret-value");

        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => GetAsync(services));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo("invalid_client"));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ex.ToString(), Does.Not.Contain("wrong-secret-value"));
        });
    }

    [Test]
    public async Task FailedTokenRequest_IsRetriedOnTheNextCall()
    {
        await using var server = await DemoServerHost.StartAsync();
        var secret = "wrong";
        using var services = Build(server, o => o.ClientSecret = secret);
        Assert.ThrowsAsync<DPoPTokenException>(() => GetAsync(services));
        Assert.ThrowsAsync<DPoPTokenException>(() => GetAsync(services));
        Assert.That(server.Statistics.TokenRequests, Is.GreaterThanOrEqualTo(2), "no failure is cached");
    }
}

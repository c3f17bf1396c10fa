using System.Collections.Concurrent;
using System.Net;
using System.Text;
using System.Text.Json;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// The token endpoint client of an OpenID Connect scheme (DPoP.Http.AspNetCore's sessions): each token request carries
/// the key of the session it is for, explicitly, and only that client's handler honours it.
/// </summary>
public sealed class SchemeTokenClientKeyTests
{
    private const string TokenClient = "DPoP.Http.AspNetCore.oidc";
    private const string TokenEndpoint = "https://as.example/token";

    private static (ServiceProvider Services, ConcurrentQueue<SeenRequest> Seen) Build(Func<SeenRequest, int, HttpResponseMessage> respond)
    {
        var seen = new ConcurrentQueue<SeenRequest>();
        var mock = MockServer.Create(seen, respond);
        var services = new ServiceCollection();
        services.AddDPoPCore().AddSchemeTokenEndpointClient(TokenClient, "oidc");
        services.AddHttpClient(TokenClient).ConfigurePrimaryHttpMessageHandler(() => mock);
        services.AddHttpClient("api").AddDPoP().ConfigurePrimaryHttpMessageHandler(() => mock);
        return (services.BuildServiceProvider(), seen);
    }

    private static DPoPTokenClient SessionClient(ServiceProvider services, DPoPKey key) =>
        new(services.GetRequiredService<IHttpClientFactory>().CreateClient(TokenClient), new DPoPTokenClientOptions { TokenEndpoint = new Uri(TokenEndpoint), ClientId = "web", ClientAuthentication = DPoPClientAuthenticationMethod.None })
        {
            Scheme = "oidc",
            RequestKey = key,
        };

    private static string SignedBy(SeenRequest request) => JsonDocument.Parse(request.Verified.JwkJson).RootElement.GetProperty("x").GetString()!;

    private static HttpResponseMessage Token() => new(HttpStatusCode.OK)
    {
        Content = new StringContent("{\"access_token\":\"at\",\"token_type\":\"DPoP\",\"expires_in\":300}", Encoding.UTF8, "application/json"),
    };

    [Test]
    public async Task RefreshToken_SignsWithTheSessionsKey_ThroughTheRedirectAndTheNonceRetry()
    {
        using var key = DPoPKey.Generate();
        var (services, seen) = Build((request, n) => n switch
        {
            1 => new HttpResponseMessage(HttpStatusCode.TemporaryRedirect) { Headers = { Location = new Uri("https://as.example/token2") } },
            2 => MockServer.TokenEndpointNonceChallenge("n-1"),
            _ => Token(),
        });
        using var _ = services;

        var response = await SessionClient(services, key).RefreshTokenAsync("rt");

        var proofs = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.AccessToken, Is.EqualTo("at"));
            Assert.That(proofs, Has.Length.EqualTo(3), "the request, its redirect hop, the nonce retry");
            Assert.That(proofs.Select(SignedBy), Is.All.EqualTo(key.PublicJwk["x"]));
            Assert.That(proofs[2].Verified.Claim("nonce"), Is.EqualTo("n-1"));
        });
    }

    [Test]
    public async Task TwoSessionsAtOnce_EachRequestSignedWithItsOwnSessionsKey()
    {
        using var alice = DPoPKey.Generate();
        using var bob = DPoPKey.Generate();
        var (services, seen) = Build((_, _) => Token());
        using var _ = services;

        await Task.WhenAll(
            Enumerable.Range(0, 20).Select(i => SessionClient(services, i % 2 == 0 ? alice : bob).RefreshTokenAsync(i % 2 == 0 ? "alice" : "bob")));

        var signers = seen.GroupBy(r => r.Body!.Contains("refresh_token=alice", StringComparison.Ordinal)).ToDictionary(g => g.Key, g => g.Select(SignedBy).Distinct().ToArray());
        Assert.Multiple(() =>
        {
            Assert.That(signers[true], Is.EqualTo(new[] { alice.PublicJwk["x"] }));
            Assert.That(signers[false], Is.EqualTo(new[] { bob.PublicJwk["x"] }));
        });
    }

    [Test]
    public void RequestWithoutAKey_OnTheSchemesClient_FailsNamingTheScheme()
    {
        var (services, seen) = Build((_, _) => throw new AssertionException("nothing may be sent"));
        using var _ = services;
        using var client = services.GetRequiredService<IHttpClientFactory>().CreateClient(TokenClient);

        var thrown = Assert.ThrowsAsync<InvalidOperationException>(() => client.PostAsync(new Uri(TokenEndpoint), new StringContent("grant_type=x")));

        Assert.Multiple(() =>
        {
            Assert.That(thrown!.Message, Does.Contain("'oidc'").And.Contain("carries no key"));
            Assert.That(seen, Is.Empty, "nothing sent unsigned");
        });
    }

    [Test]
    public async Task ApiClient_IgnoresAKeyOnTheRequest_SignsWithItsOwn()
    {
        using var foreign = DPoPKey.Generate();
        var (services, seen) = Build((_, _) => MockServer.Ok());
        using var _ = services;
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example/orders");
        DPoPRequestKey.Set(request, foreign);

        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").SendAsync(request);

        Assert.That(SignedBy(seen.Single()), Is.Not.EqualTo(foreign.PublicJwk["x"]));
    }
}

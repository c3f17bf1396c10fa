using System.Net;
using System.Net.Http.Headers;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Http;

/// <summary>
/// Exact exchanges between the handler and a MockHttp server: the proof, the bound token and where it comes from,
/// the synchronous path, nonces per origin, bad nonce headers.
/// </summary>
public sealed class DPoPDelegatingHandlerTests
{
    private const string Token = "access-token-123";

    [Test]
    public async Task SendAsync_WithoutToken_SendsOneProofWithoutAthAndNoAuthorization()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok());
        using var response = await host.CreateClient().GetAsync(new Uri("orders?page=2#frag", UriKind.Relative));

        var seen = host.Requests.Single();
        var proof = seen.Verified;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(seen.DPoPHeaders, Has.Count.EqualTo(1));
            Assert.That(seen.Authorization, Is.Null);
            Assert.That(proof.Claim("htm"), Is.EqualTo("GET"));
            Assert.That(proof.Claim("htu"), Is.EqualTo("https://api.example.com/orders"));
            Assert.That(proof.HasClaim("ath"), Is.False);
            Assert.That(proof.HasClaim("nonce"), Is.False);
        });
    }

    [Test]
    public async Task SendAsync_StaleDPoPHeaderOnRequest_IsReplacedByExactlyOneFreshProof()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok());
        using var request = new HttpRequestMessage(HttpMethod.Get, "data");
        request.Headers.TryAddWithoutValidation("DPoP", "stale.proof.value");
        request.Headers.TryAddWithoutValidation("DPoP", "another.stale.one");
        using var response = await host.CreateClient().SendAsync(request);

        var seen = host.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(seen.DPoPHeaders, Has.Count.EqualTo(1));
            Assert.That(seen.Proof, Does.Not.Contain("stale"));
        });
        seen.Verified.ToString();
    }

    [Test]
    public async Task SendAsync_TokenFromRequestOption_SetsAuthorizationDPoPAndAth()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok());
        using var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new StringContent("{}") };
        request.SetDPoPAccessToken(Token);
        using var response = await host.CreateClient().SendAsync(request);

        var seen = host.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(seen.Authorization, Is.EqualTo("DPoP " + Token));
            Assert.That(seen.Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(Token)));
            Assert.That(seen.Verified.Claim("htm"), Is.EqualTo("POST"));
        });
    }

    [Test]
    public async Task SendAsync_AuthorizationDPoPHeaderOnRequest_IsBoundWithAth()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok());
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("dpop", Token);
        using var response = await host.CreateClient().SendAsync(request);

        var seen = host.Requests.Single();
        Assert.That(seen.Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(Token)));
    }

    [Test]
    public async Task SendAsync_RequestOption_WinsOverHeaderAndProvider()
    {
        var provider = new CountingTokenProvider("from-provider");
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddKeyedSingleton<IDPoPAccessTokenProvider>(DPoPTestHost.ClientName, provider));
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", "from-header");
        request.SetDPoPAccessToken("from-option");
        using var response = await host.CreateClient().SendAsync(request);

        var seen = host.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(seen.Authorization, Is.EqualTo("DPoP from-option"));
            Assert.That(seen.Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth("from-option")));
            Assert.That(provider.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task SendAsync_HeaderToken_WinsOverProvider()
    {
        var provider = new CountingTokenProvider("from-provider");
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddKeyedSingleton<IDPoPAccessTokenProvider>(DPoPTestHost.ClientName, provider));
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", "from-header");
        using var response = await host.CreateClient().SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(host.Requests.Single().Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth("from-header")));
            Assert.That(provider.Calls, Is.Zero);
        });
    }

    [Test]
    public async Task SendAsync_ProviderToken_UsedWhenRequestHasNone()
    {
        var provider = new CountingTokenProvider("from-provider");
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddKeyedSingleton<IDPoPAccessTokenProvider>(DPoPTestHost.ClientName, provider));
        using var response = await host.CreateClient().GetAsync(new Uri("orders", UriKind.Relative));

        var seen = host.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(seen.Authorization, Is.EqualTo("DPoP from-provider"));
            Assert.That(seen.Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth("from-provider")));
            Assert.That(provider.Calls, Is.EqualTo(1));
        });
    }

    [Test]
    public async Task SendAsync_BearerHeader_IsLeftAloneAndNoTokenIsBound()
    {
        var provider = new CountingTokenProvider("from-provider");
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddKeyedSingleton<IDPoPAccessTokenProvider>(DPoPTestHost.ClientName, provider));
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "plain-bearer");
        using var response = await host.CreateClient().SendAsync(request);

        var seen = host.Requests.Single();
        Assert.Multiple(() =>
        {
            Assert.That(seen.Authorization, Is.EqualTo("Bearer plain-bearer"));
            Assert.That(seen.Verified.HasClaim("ath"), Is.False);
            Assert.That(provider.Calls, Is.Zero);
        });
    }

    [Test]
    public void SendAsync_ProviderReturnsMalformedToken_ThrowsInvalidOperationWithoutTheToken()
    {
        var provider = new CountingTokenProvider("bad token with spaces");
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(), services: (s, _) => s.AddKeyedSingleton<IDPoPAccessTokenProvider>(DPoPTestHost.ClientName, provider));
        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => host.CreateClient().GetAsync(new Uri("orders", UriKind.Relative)));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("'api'").And.Contain("IDPoPAccessTokenProvider"));
            Assert.That(ex.Message, Does.Not.Contain("bad token"));
            Assert.That(host.Requests, Is.Empty);
        });
    }

    [Test]
    public void Send_Synchronous_SignsAndRetries()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.ResourceNonceChallenge("sync-n") : MockServer.Ok());
        using var request = new HttpRequestMessage(HttpMethod.Put, "orders/1") { Content = new StringContent("{\"a\":1}") };
        request.SetDPoPAccessToken(Token);
        using var response = host.CreateClient().Send(request);

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("sync-n"));
            Assert.That(requests[1].Verified.Claim("htm"), Is.EqualTo("PUT"));
            Assert.That(requests[1].Body, Is.EqualTo("{\"a\":1}"));
        });
    }

    [Test]
    public async Task SendAsync_NoncesAreKeptPerOrigin()
    {
        using var host = new DPoPTestHost((seen, _) => MockServer.Ok("nonce-of-" + seen.Uri.Authority));
        var client = host.CreateClient();
        foreach (var uri in new[] { "https://a.example/1", "https://b.example/1", "https://a.example:8443/1", "http://a.example/1", "https://a.example/2", "https://b.example/2", "https://a.example:8443/2", "http://a.example/2" })
        {
            (await client.GetAsync(new Uri(uri))).Dispose();
        }

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            for (var i = 0; i < 4; i++)
            {
                Assert.That(requests[i].Verified.HasClaim("nonce"), Is.False, requests[i].Uri.ToString());
                Assert.That(requests[i + 4].Verified.Claim("nonce"), Is.EqualTo("nonce-of-" + requests[i + 4].Uri.Authority));
            }
        });
    }

    [TestCase("", TestName = "InvalidNonce_Empty")]
    [TestCase("has space", TestName = "InvalidNonce_Space")]
    [TestCase("quote\"d", TestName = "InvalidNonce_Quote")]
    public async Task SendAsync_InvalidNonceHeader_IsIgnoredAndLogged(string nonce)
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok(nonce));
        var client = host.CreateClient();
        (await client.GetAsync(new Uri("a", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("b", UriKind.Relative))).Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(host.Requests[1].Verified.HasClaim("nonce"), Is.False);
            Assert.That(host.AllLogText, Does.Contain("ignored a DPoP-Nonce header from https://api.example.com"));
        });
    }

    [Test]
    public void SendAsync_RequestUriWithUserInfo_ThrowsInvalidOperation()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.Ok());
        Assert.That(async () => await host.CreateClient().GetAsync(new Uri("https://user:pw@api.example.com/")),
            Throws.InvalidOperationException.With.Message.Contains("user information").And.Message.Not.Contains("pw"));
    }

    [Test]
    public async Task Handler_WithoutDI_SignsWithTheGivenKey()
    {
        using var key = DPoPKey.Generate(DPoPAlgorithms.ES384);
        var seen = new System.Collections.Concurrent.ConcurrentQueue<SeenRequest>();
        using var mock = MockServer.Create(seen, (_, n) => n == 1 ? MockServer.ResourceNonceChallenge("x") : MockServer.Ok());
        using var client = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example.com/x").SetDPoPAccessToken(Token);
        using var response = await client.SendAsync(request);

        var requests = seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DPoPKey.ComputeJwkThumbprint(requests[1].Verified.JwkJson), Is.EqualTo(key.JwkThumbprint));
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("x"));
        });
    }

    internal sealed class CountingTokenProvider(string token) : IDPoPAccessTokenProvider
    {
        public int Calls { get; private set; }

        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            Calls++;
            return ValueTask.FromResult<string?>(token);
        }
    }
}

using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Http;

/// <summary>
/// Redirects against real Kestrel servers: every hop gets a proof for its own URI and method, and neither the
/// access token nor a nonce of one origin reaches another. Two origins: the same host on two ports.
/// </summary>
[Category("Integration")]
public sealed class RedirectTests
{
    private const string Token = "origin-a-token";

    private static async Task<(KestrelTestServer A, KestrelTestServer B)> StartPairAsync(int status)
    {
        KestrelTestServer? b = null;
        b = await KestrelTestServer.StartAsync(async (context, _) =>
        {
            context.Response.Headers["DPoP-Nonce"] = "nonce-of-b";
            await context.Response.WriteAsync("at b");
        });
        var target = b.BaseAddress;
        var a = await KestrelTestServer.StartAsync(async (context, seen) =>
        {
            context.Response.Headers["DPoP-Nonce"] = "nonce-of-a";
            switch (context.Request.Path.Value)
            {
                case "/cross":
                    context.Response.StatusCode = status;
                    context.Response.Headers.Location = new Uri(target, "landing?x=1").ToString();
                    break;
                case "/same":
                    context.Response.StatusCode = status;
                    context.Response.Headers.Location = "/landing";
                    break;
                case "/loop":
                    context.Response.StatusCode = 302;
                    context.Response.Headers.Location = "/loop";
                    break;
                default:
                    await context.Response.WriteAsync("at a " + seen.Body);
                    break;
            }
        });
        return (a, b);
    }

    private static ServiceProvider CreateClientServices(Action<DPoPClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        services.AddHttpClient("api").AddDPoP(configure);
        return services.BuildServiceProvider();
    }

    [TestCase(301)]
    [TestCase(302)]
    [TestCase(303)]
    [TestCase(307)]
    [TestCase(308)]
    public async Task CrossOriginRedirect_NewProofForTarget_NoTokenAndNoNonceOfA(int status)
    {
        var (a, b) = await StartPairAsync(status);
        await using var _ = a;
        await using var __ = b;
        using var services = CreateClientServices();
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");

        // Prime origin A's nonce, then follow A → B.
        (await client.GetAsync(new Uri(a.BaseAddress, "prime"))).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(a.BaseAddress, "cross")) { Content = new StringContent("body") };
        request.SetDPoPAccessToken(Token);
        using var response = await client.SendAsync(request);

        var atA = a.Seen.Last();
        var atB = b.Seen.Single();
        var expectedMethod = status is 307 or 308 ? "POST" : "GET";
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(atA.Authorization, Is.EqualTo("DPoP " + Token));
            Assert.That(atA.Verified.Claim("nonce"), Is.EqualTo("nonce-of-a"));
            Assert.That(atB.Method.Method, Is.EqualTo(expectedMethod));
            Assert.That(atB.Verified.Claim("htm"), Is.EqualTo(expectedMethod));
            Assert.That(atB.Verified.Claim("htu"), Is.EqualTo(new Uri(b.BaseAddress, "landing").ToString()));
            Assert.That(atB.Authorization, Is.Null, "no token across origins");
            Assert.That(atB.Verified.HasClaim("ath"), Is.False);
            Assert.That(atB.Verified.HasClaim("nonce"), Is.False, "no nonce of A at B");
            Assert.That(atB.Proof, Is.Not.EqualTo(atA.Proof));
            Assert.That(atB.Body, Is.EqualTo(status is 307 or 308 ? "body" : null));
        });
    }

    [TestCase(302)]
    [TestCase(307)]
    public async Task SameOriginRedirect_KeepsTokenWithFreshProof(int status)
    {
        var (a, b) = await StartPairAsync(status);
        await using var _ = a;
        await using var __ = b;
        using var services = CreateClientServices();
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(a.BaseAddress, "same")).SetDPoPAccessToken(Token);
        using var response = await client.SendAsync(request);

        var hops = a.Seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(hops, Has.Length.EqualTo(2));
            Assert.That(hops[1].Verified.Claim("htu"), Is.EqualTo(new Uri(a.BaseAddress, "landing").ToString()));
            Assert.That(hops[1].Authorization, Is.EqualTo("DPoP " + Token));
            Assert.That(hops[1].Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(Token)));
            Assert.That(hops[1].Verified.Claim("nonce"), Is.EqualTo("nonce-of-a"));
            Assert.That(hops[1].Verified.Claim("jti"), Is.Not.EqualTo(hops[0].Verified.Claim("jti")));
        });
    }

    [Test]
    public async Task FollowRedirectsOff_ReturnsTheRedirect_AndThePrimaryDoesNotFollowIt()
    {
        var (a, b) = await StartPairAsync(302);
        await using var _ = a;
        await using var __ = b;
        using var services = CreateClientServices(o => o.Handler.FollowRedirects = false);
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri(a.BaseAddress, "cross"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
            Assert.That(b.Seen, Is.Empty);
        });
    }

    [Test]
    public async Task RedirectLoop_StopsAtMaxRedirects()
    {
        var (a, b) = await StartPairAsync(302);
        await using var _ = a;
        await using var __ = b;
        using var services = CreateClientServices(o => o.Handler.MaxRedirects = 3);
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("api").GetAsync(new Uri(a.BaseAddress, "loop"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found));
            Assert.That(a.Seen, Has.Count.EqualTo(4));
        });
    }

    [Test]
    public async Task StreamedBodyAboveBufferLimit_On307_IsNotFollowed()
    {
        var (a, b) = await StartPairAsync(307);
        await using var _ = a;
        await using var __ = b;
        using var services = CreateClientServices();
        var client = services.GetRequiredService<IHttpClientFactory>().CreateClient("api");
        using var response = await client.PostAsync(new Uri(a.BaseAddress, "cross"), new StreamContent(new ForwardOnlyStream(new byte[100_000])));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
            Assert.That(b.Seen, Is.Empty);
        });
    }

    [Test]
    public async Task HandlerWithoutDI_OverSocketsHttpHandler_FollowsRedirectsItself()
    {
        var (a, b) = await StartPairAsync(302);
        await using var _ = a;
        await using var __ = b;
        using var key = DPoPKey.Generate();
        using var client = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler() });
        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(a.BaseAddress, "cross")).SetDPoPAccessToken(Token);
        using var response = await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(b.Seen.Single().Verified.Claim("htu"), Is.EqualTo(new Uri(b.BaseAddress, "landing").ToString()));
            Assert.That(b.Seen.Single().Authorization, Is.Null);
        });
    }
}

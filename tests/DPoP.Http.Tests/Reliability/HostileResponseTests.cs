using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Every answer in <see cref="HostileResponseCases"/> goes through <c>AddDPoP()</c> three ways (async, async reading
/// headers first, sync). For each: no exception escapes, at most the one retry the case calls for, the caller gets
/// the server's status and its whole body, every proof sent matches the request it rode on, no token leaves its
/// origin, every response the handler did not hand out was disposed, and the nonce kept afterwards is the right one.
/// </summary>
public sealed class HostileResponseTests
{
    private const string Token = "hostile-test-access-token";
    private static readonly Uri Origin = new("https://api.example.com/");

    private static IEnumerable<TestCaseData> Cases()
    {
        foreach (var c in HostileResponseCases.All())
        {
            yield return new TestCaseData(c, false, HttpCompletionOption.ResponseContentRead).SetName($"Hostile_{c.Name}_Async");
            yield return new TestCaseData(c, false, HttpCompletionOption.ResponseHeadersRead).SetName($"Hostile_{c.Name}_AsyncHeadersRead");
            yield return new TestCaseData(c, true, HttpCompletionOption.ResponseContentRead).SetName($"Hostile_{c.Name}_Sync");
        }
    }

    [Test]
    public void Catalogue_HasAtLeastFiftyDistinctMalformedResponses()
    {
        var names = HostileResponseCases.All().Select(c => c.Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Is.Unique);
            Assert.That(names, Has.Count.GreaterThanOrEqualTo(50));
        });
        TestContext.Out.WriteLine($"{names.Count} malformed responses");
    }

    [TestCaseSource(nameof(Cases))]
    public async Task HostileResponse_ReachesTheCallerWhole_WithoutLoopOrLeak(HostileResponseCase c, bool sync, HttpCompletionOption completion)
    {
        var tracker = new ResponseTracker();
        using var host = new DPoPTestHost(
            (_, n) => n == 1 ? c.Create() : MockServer.Ok(body: "retried"),
            o => o.Handler.FollowRedirects = c.FollowRedirects,
            (_, builder) => builder.AddHttpMessageHandler(tracker.CreateHandler));
        var client = host.CreateClient();
        var post = c.Status == HttpStatusCode.BadRequest;
        using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, "resource/1?q=secret#frag")
        {
            Content = post ? new StringContent("grant_type=client_credentials") : null,
        };
        request.SetDPoPAccessToken(Token);

        HttpResponseMessage response = null!;
        Assert.That(async () => response = sync ? client.Send(request, completion) : await client.SendAsync(request, completion), Throws.Nothing);
        byte[] body;
        using (response)
        {
            Assert.That(tracker.Undisposed(response), Is.Empty, "responses the handler kept for itself");
            body = sync ? ReadSync(response) : await response.Content.ReadAsByteArrayAsync();
            var attempts = host.Requests.Length;
            Assert.Multiple(() =>
            {
                Assert.That(attempts, Is.EqualTo(c.ExpectRetry ? 2 : 1), "attempts");
                Assert.That(response.StatusCode, Is.EqualTo(c.ExpectRetry ? HttpStatusCode.OK : c.Status));
                Assert.That(body, Is.EqualTo(c.ExpectRetry ? Encoding.UTF8.GetBytes("retried") : c.Body), "the caller reads the whole body");
                if (c.ExpectRetry && post)
                {
                    Assert.That(host.Requests[1].Body, Is.EqualTo("grant_type=client_credentials"), "the body is resent");
                }
            });
        }

        Assert.That(tracker.Undisposed(), Is.Empty, "every response is disposed once the caller disposed its own");

        // What the handler kept from the answer: the next request's nonce.
        (await client.GetAsync(new Uri("probe", UriKind.Relative))).Dispose();
        var probe = host.Requests[^1].Verified;
        if (c.ExpectStoredNonce != HostileResponseCase.AnyNonce)
        {
            Assert.That(probe.HasClaim("nonce") ? probe.Claim("nonce") : null, Is.EqualTo(c.ExpectStoredNonce), "nonce kept for the origin");
        }

        AssertEveryProofMatchesItsRequest(host.Requests);
    }

    [TestCase(HttpStatusCode.BadRequest, false)]
    [TestCase(HttpStatusCode.BadRequest, true)]
    [TestCase(HttpStatusCode.Unauthorized, false)]
    [TestCase(HttpStatusCode.Unauthorized, true)]
    public async Task ServerDemandingANewNonceEveryTime_ExactlyOneRetry_SecondChallengeReachesTheCaller(HttpStatusCode status, bool sync)
    {
        var tracker = new ResponseTracker();
        using var host = new DPoPTestHost(
            (_, n) => status == HttpStatusCode.BadRequest ? MockServer.TokenEndpointNonceChallenge("n-" + n) : MockServer.ResourceNonceChallenge("n-" + n),
            services: (_, builder) => builder.AddHttpMessageHandler(tracker.CreateHandler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("grant_type=x") };
        using var response = sync ? host.CreateClient().Send(request) : await host.CreateClient().SendAsync(request);
        Assert.That(tracker.Undisposed(response), Is.Empty);

        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(host.Requests, Has.Length.EqualTo(2));
            Assert.That(host.Requests[1].Verified.Claim("nonce"), Is.EqualTo("n-1"));
            Assert.That(response.StatusCode, Is.EqualTo(status));
            Assert.That(response.Headers.GetValues("DPoP-Nonce").Single(), Is.EqualTo("n-2"));
            Assert.That(body, Does.Contain(status == HttpStatusCode.BadRequest ? "use_dpop_nonce" : "challenge body"));
        });
    }

    internal static void AssertEveryProofMatchesItsRequest(IEnumerable<SeenRequest> requests)
    {
        foreach (var seen in requests)
        {
            var proof = seen.Verified;
            var htu = seen.Uri.GetLeftPart(UriPartial.Path);
            Assert.Multiple(() =>
            {
                Assert.That(seen.DPoPHeaders, Has.Count.EqualTo(1), seen.Uri.ToString());
                Assert.That(proof.Claim("htm"), Is.EqualTo(seen.Method.Method), seen.Uri.ToString());
                Assert.That(proof.Claim("htu"), Is.EqualTo(htu), seen.Uri.ToString());
                if (seen.Authorization is not null)
                {
                    Assert.That(DPoPRedirect.IsSameOrigin(seen.Uri, Origin), Is.True, "a token left its origin: " + seen.Uri);
                    Assert.That(proof.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(Token)));
                }
            });
        }
    }

    private static byte[] ReadSync(HttpResponseMessage response)
    {
        using var stream = response.Content.ReadAsStream();
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}

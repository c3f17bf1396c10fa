using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Http;

/// <summary>
/// The handler's nonce challenges against a MockHttp server: nonces learned from any response, one retry with a
/// new proof when a challenge brings a new nonce, which bodies can be resent, cancellation during either attempt.
/// </summary>
public sealed class DPoPDelegatingHandlerRetryTests
{
    private const string Token = "access-token-123";

    [TestCase(200)]
    [TestCase(400)]
    [TestCase(401)]
    [TestCase(500)]
    [TestCase(302)]
    public async Task SendAsync_NonceOnAnyResponse_IsStoredAndSentNextTime(int status)
    {
        using var host = new DPoPTestHost((_, n) => n == 1
            ? MockServer.WithNonce(new HttpResponseMessage((HttpStatusCode)status), "nonce-from-" + status)
            : MockServer.Ok(), o => o.Handler.FollowRedirects = false);
        var client = host.CreateClient();
        (await client.GetAsync(new Uri("a", UriKind.Relative))).Dispose();
        (await client.GetAsync(new Uri("b", UriKind.Relative))).Dispose();

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[0].Verified.HasClaim("nonce"), Is.False);
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("nonce-from-" + status));
        });
    }

    [Test]
    public async Task SendAsync_TokenEndpointChallenge_RetriesOnceWithNewNonceAndNewJti()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n-1") : MockServer.Ok("n-2"));
        using var response = await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new FormUrlEncodedContent([new("grant_type", "client_credentials")]));

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("n-1"));
            Assert.That(requests[1].Verified.Claim("jti"), Is.Not.EqualTo(requests[0].Verified.Claim("jti")));
            Assert.That(requests[1].Body, Is.EqualTo("grant_type=client_credentials"));
        });
    }

    [Test]
    public async Task SendAsync_ResourceServerChallenge_RetriesOnceWithNewNonce()
    {
        using var host = new DPoPTestHost((_, n) => n == 1
            ? MockServer.ResourceNonceChallenge("rs-1", "Bearer realm=\"api\", dpop algs=\"ES256 PS256\", error=\"use_dpop_nonce\", error_description=\"nonce, please\"")
            : MockServer.Ok());
        using var request = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(Token);
        using var response = await host.CreateClient().SendAsync(request);

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("rs-1"));
            Assert.That(requests[1].Verified.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(Token)));
            Assert.That(requests[1].Authorization, Is.EqualTo("DPoP " + Token));
        });
    }

    [Test]
    public async Task SendAsync_ServerChallengesEveryTime_RetriesExactlyOnceAndReturnsSecondChallengeReadable()
    {
        using var host = new DPoPTestHost((_, n) => MockServer.TokenEndpointNonceChallenge("always-new-" + n));
        using var response = await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new StringContent("x"));

        var body = await response.Content.ReadAsStringAsync();
        Assert.Multiple(() =>
        {
            Assert.That(host.Requests, Has.Length.EqualTo(2));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body, Does.Contain("use_dpop_nonce"));
            Assert.That(response.Headers.GetValues("DPoP-Nonce").Single(), Is.EqualTo("always-new-2"));
        });
    }

    [TestCase(null, TestName = "SendAsync_ChallengeWithoutNonceHeader_IsNotRetried")]
    [TestCase("bad nonce", TestName = "SendAsync_ChallengeWithInvalidNonce_IsNotRetried")]
    public async Task SendAsync_ChallengeWithoutUsableNewNonce_IsNotRetried(string? nonce)
    {
        using var host = new DPoPTestHost((_, _) => MockServer.ResourceNonceChallenge(nonce));
        using var response = await host.CreateClient().GetAsync(new Uri("orders", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(host.Requests, Has.Length.EqualTo(1));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task SendAsync_ChallengeRepeatingTheNonceJustSent_IsNotRetried()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.Ok("same") : MockServer.ResourceNonceChallenge("same"));
        var client = host.CreateClient();
        (await client.GetAsync(new Uri("a", UriKind.Relative))).Dispose();
        using var second = await client.GetAsync(new Uri("b", UriKind.Relative));

        Assert.Multiple(() =>
        {
            Assert.That(host.Requests, Has.Length.EqualTo(2));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        });
    }

    [Test]
    public async Task SendAsync_OtherErrors_AreNotRetried()
    {
        using var host = new DPoPTestHost((_, n) => n == 1
            ? MockServer.WithNonce(new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = new StringContent("{\"error\":\"invalid_grant\"}") }, "n")
            : MockServer.Ok());
        using var response = await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new StringContent("x"));

        Assert.Multiple(() =>
        {
            Assert.That(host.Requests, Has.Length.EqualTo(1));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
        });
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("{\"error\":\"invalid_grant\"}"));
    }

    [Test]
    public async Task SendAsync_StreamBodyOfUnknownSizeAboveLimit_IsNotRetried_AndNonceServesNextRequest()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n-1") : MockServer.Ok(), o => o.Handler.MaxBufferedRequestBodySize = 4);
        var client = host.CreateClient();
        using var first = await client.PostAsync(new Uri("upload", UriKind.Relative), new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes("streamed"))));
        using var second = await client.PostAsync(new Uri("upload", UriKind.Relative), new StringContent("next"));

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(requests, Has.Length.EqualTo(2));
            Assert.That(requests[0].Body, Is.EqualTo("streamed"));
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("n-1"));
        });
    }

    [Test]
    public async Task SendAsync_StreamBodyOfUnknownSizeWithinLimit_IsRecordedOnTheFirstSendAndResentIdentically()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n-1") : MockServer.Ok());
        using var response = await host.CreateClient().PostAsync(
            new Uri("upload", UriKind.Relative), new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes("streamed"))));

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests.Select(r => r.Body), Is.EqualTo(new[] { "streamed", "streamed" }));
            Assert.That(requests[1].Verified.Claim("nonce"), Is.EqualTo("n-1"));
        });
    }

    [Test]
    public async Task SendAsync_StreamBodyOfKnownSizeWithinLimit_IsBufferedAndResent()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n-1") : MockServer.Ok());
        var content = new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes("payload")));
        content.Headers.ContentLength = 7;
        using var response = await host.CreateClient().PostAsync(new Uri("upload", UriKind.Relative), content);

        var requests = host.Requests;
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(requests.Select(r => r.Body), Is.EqualTo(new[] { "payload", "payload" }));
        });
    }

    [Test]
    public async Task SendAsync_StreamBodyAboveLimit_IsNotBufferedNorRetried()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.TokenEndpointNonceChallenge("n-1") : MockServer.Ok(), o => o.Handler.MaxBufferedRequestBodySize = 4);
        var content = new StreamContent(new ForwardOnlyStream(Encoding.UTF8.GetBytes("payload")));
        content.Headers.ContentLength = 7;
        using var response = await host.CreateClient().PostAsync(new Uri("upload", UriKind.Relative), content);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(host.Requests, Has.Length.EqualTo(1));
        });
    }

    [Test]
    public async Task SendAsync_RetryDisabled_ReturnsChallenge()
    {
        using var host = new DPoPTestHost((_, _) => MockServer.TokenEndpointNonceChallenge("n-1"), o => o.Handler.RetryOnNonceChallenge = false);
        using var response = await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new StringContent("x"));
        Assert.That(host.Requests, Has.Length.EqualTo(1));
    }

    [Test]
    public void SendAsync_CancelledDuringFirstAttempt_Throws()
    {
        using var cts = new CancellationTokenSource();
        using var host = new DPoPTestHost((_, _) =>
        {
            cts.Cancel();
            return MockServer.Ok();
        });
        Assert.That(async () => await host.CreateClient().GetAsync(new Uri("a", UriKind.Relative), cts.Token), Throws.InstanceOf<OperationCanceledException>());
    }

    [Test]
    public void SendAsync_CancelledDuringRetry_Throws_AndSendsNoThirdRequest()
    {
        using var cts = new CancellationTokenSource();
        using var host = new DPoPTestHost((_, n) =>
        {
            if (n == 2)
            {
                cts.Cancel();
            }

            return MockServer.TokenEndpointNonceChallenge("n-" + n);
        });
        Assert.That(async () => await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new StringContent("x"), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(host.Requests, Has.Length.EqualTo(2));
    }
}

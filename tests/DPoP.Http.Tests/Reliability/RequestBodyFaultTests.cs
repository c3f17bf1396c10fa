using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using static DPoP.Http.Tests.Reliability.FaultScenario;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Request bodies under a nonce challenge: sent once when they cannot be resent, resent whole when they can, and
/// bodies that lie about their length.
/// </summary>
[Category("Integration")]
public sealed class RequestBodyFaultTests
{
    [Test]
    public async Task NonRewindableBody_Challenged_BodyArrivesWholeOnce_ChallengeReturned_NextRequestUsesNonce()
    {
        await using var server = await ChallengeThen(c => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        var payload = new string('b', 300_000);
        using var request = new HttpRequestMessage(HttpMethod.Post, "upload") { Content = new StreamContent(new ForwardOnlyStream(Encoding.ASCII.GetBytes(payload))) };
        request.SetDPoPAccessToken(Token);
        using var first = await client.Http.SendAsync(request);
        using var second = await client.Http.SendAsync(Get());

        Assert.Multiple(async () =>
        {
            Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await first.Content.ReadAsStringAsync(), Is.EqualTo("challenge"));
            Assert.That(server.Seen.First().Body, Is.EqualTo(payload));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen, Has.Count.EqualTo(2));
            Assert.That(server.Seen.Last().Verified.Claim("nonce"), Is.EqualTo("n-challenge"));
        });
    }

    [Test]
    public async Task BodyOfKnownLengthAboveTheBufferLimit_SentOnce_ChallengeReturned()
    {
        await using var server = await ChallengeThen(c => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, o => o.Handler.MaxBufferedRequestBodySize = 1024);
        var payload = Encoding.ASCII.GetBytes(new string('c', 4096));
        var content = new StreamContent(new ForwardOnlyStream(payload));
        content.Headers.ContentLength = payload.Length;
        using var request = new HttpRequestMessage(HttpMethod.Put, "upload") { Content = content };
        request.SetDPoPAccessToken(Token);
        using var response = await client.Http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(server.Seen.Single().Body, Has.Length.EqualTo(4096));
            Assert.That(client.AllLogText, Does.Contain("cannot be sent again"));
        });
    }

    [Test]
    public async Task BodyOfKnownLengthWithinTheLimit_ResentWhole_OnRetry()
    {
        await using var server = await ChallengeThen(c => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        var payload = Encoding.ASCII.GetBytes(new string('d', 60_000));
        var content = new StreamContent(new ForwardOnlyStream(payload));
        content.Headers.ContentLength = payload.Length;
        using var request = new HttpRequestMessage(HttpMethod.Put, "upload") { Content = content };
        request.SetDPoPAccessToken(Token);
        using var response = await client.Http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen.Select(s => s.Body?.Length), Is.EqualTo(new int?[] { 60_000, 60_000 }));
        });
    }

    [Test]
    public async Task BodyLongerThanItsDeclaredLength_FailsClearly_NothingLeaks()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        var content = new StreamContent(new ForwardOnlyStream(new byte[1 << 20]));
        content.Headers.ContentLength = 100;
        using var request = new HttpRequestMessage(HttpMethod.Post, "upload") { Content = content };

        Assert.That(async () => await client.Http.SendAsync(request), Throws.InstanceOf<HttpRequestException>());
        Assert.That(client.Tracker.Undisposed(), Is.Empty);
    }

    [TestCase(400)]
    [TestCase(401)]
    public async Task HeadRequest_ErrorWithContentLengthButNoBody_ReturnedWithoutHangingOrThrowing(int status)
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) =>
        {
            c.Response.StatusCode = status;
            c.Response.ContentType = "application/json";
            c.Response.ContentLength = 28;
            c.Response.Headers["DPoP-Nonce"] = "n-head";
            if (status == 401)
            {
                c.Response.Headers.WWWAuthenticate = "Bearer";
            }

            return Task.CompletedTask; // HEAD: the length of the body a GET would get, and no body
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(10));
        using var response = await client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Head, "token"));

        Assert.Multiple(async () =>
        {
            Assert.That((int)response.StatusCode, Is.EqualTo(status));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.Empty);
            Assert.That(server.Seen, Has.Count.EqualTo(1));
        });
    }
}

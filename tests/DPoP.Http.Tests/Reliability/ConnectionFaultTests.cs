using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using static DPoP.Http.Tests.Reliability.FaultScenario;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Connections the server closes before and during a response, on the first attempt and on the retry: a clear
/// exception, no leaked response, and a client that still works afterwards.
/// </summary>
[Category("Integration")]
public sealed class ConnectionFaultTests
{
    [Test]
    public async Task ConnectionAbortedBeforeHeaders_ThrowsHttpRequestException_NoNonceRetry()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) =>
        {
            c.Abort();
            return Task.CompletedTask;
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<HttpRequestException>());
        Assert.Multiple(() =>
        {
            Assert.That(client.Tracker.Responses, Is.Empty);
            Assert.That(server.Seen.Select(s => s.Proof).Distinct().Count(), Is.EqualTo(server.Seen.Count), "no proof sent twice");
        });
    }

    [TestCase(HttpCompletionOption.ResponseContentRead)]
    [TestCase(HttpCompletionOption.ResponseHeadersRead)]
    public async Task ConnectionAbortedInsideTheErrorBody_ThrowsClearly_ResponseDisposed(HttpCompletionOption completion)
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            c.Response.StatusCode = 400;
            c.Response.ContentType = "application/json";
            c.Response.Headers["DPoP-Nonce"] = "n-abort";
            await c.Response.WriteAsync("{\"error\":\"use_dp");
            await c.Response.Body.FlushAsync();
            await Task.Delay(300);
            c.Abort();
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("x") };

        var thrown = Assert.CatchAsync(async () => await client.Http.SendAsync(request, completion));
        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.InstanceOf<HttpRequestException>(), thrown?.ToString());
            Assert.That(server.Seen, Has.Count.EqualTo(1), "no retry of a broken answer");
            Assert.That(client.Tracker.Undisposed(), Is.Empty);
        });
    }

    [Test]
    public async Task ConnectionAbortedInsideA200Body_HeadersRead_CallerGetsTheResponse_AndTheReadFails()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            c.Response.ContentLength = 100_000;
            await c.Response.WriteAsync(new string('x', 1000));
            await c.Response.Body.FlushAsync();
            await Task.Delay(500); // the headers reach the client first, however busy the machine
            c.Abort();
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var response = await client.Http.SendAsync(Get(), HttpCompletionOption.ResponseHeadersRead);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(async () => await response.Content.ReadAsByteArrayAsync(), Throws.InstanceOf<HttpRequestException>().Or.InstanceOf<IOException>());
            Assert.That(client.Tracker.Undisposed(response), Is.Empty);
        });
    }

    [Test]
    public async Task ConnectionAbortedOnTheRetry_ThrowsHttpRequestException_ChallengeDisposed()
    {
        await using var server = await ChallengeThen(c =>
        {
            c.Abort();
            return Task.CompletedTask;
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<HttpRequestException>());
        Assert.Multiple(() =>
        {
            Assert.That(client.Tracker.Undisposed(), Is.Empty);
            Assert.That(server.Seen.Select(s => s.Verified.Claim("jti")).Distinct().Count(), Is.EqualTo(server.Seen.Count), "every attempt had its own proof");
        });
    }

    [Test]
    public async Task AfterFaults_TheClientStillWorks_WithTheNonceItLearned()
    {
        var abort = 1;
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            c.Response.Headers["DPoP-Nonce"] = "n-survivor";
            if (Interlocked.Exchange(ref abort, 0) == 1)
            {
                c.Response.ContentLength = 1000;
                await c.Response.WriteAsync("partial");
                await c.Response.Body.FlushAsync();
                await Task.Delay(500); // the headers (and their nonce) reach the client first
                c.Abort();
                return;
            }

            await c.Response.WriteAsync("ok");
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        Assert.CatchAsync(async () => await client.Http.SendAsync(Get("first")));
        using var response = await client.Http.SendAsync(Get("second"));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen.Last().Verified.Claim("nonce"), Is.EqualTo("n-survivor"), "the nonce of the aborted answer's headers was kept");
        });
    }
}

using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Faults at every stage of a request against real Kestrel servers on 127.0.0.1: a slow, failing or cancelled key
/// provider, a slow server on the first attempt and on the retry, HttpClient.Timeout, a connection aborted before
/// and during a response. Each time the caller sees a clear exception (or the server's response) and the handler
/// leaks no response.
/// </summary>
[Category("Integration")]
public sealed class FaultTests
{
    private const string Token = "fault-test-access-token";

    private static Task<KestrelTestServer> ChallengeThen(Func<HttpContext, Task> second) =>
        KestrelTestServer.StartAsync(async (context, _) =>
        {
            if (IsFirstProof(context))
            {
                await WriteResourceChallengeAsync(context, "n-challenge");
                return;
            }

            await second(context);
        });

    /// <summary>The first attempt carries no nonce; the retry carries the challenge's.</summary>
    private static bool IsFirstProof(HttpContext context) =>
        !IndependentProofVerifier.Verify(context.Request.Headers["DPoP"].ToString()).HasClaim("nonce");

    private static async Task WriteResourceChallengeAsync(HttpContext context, string nonce)
    {
        context.Response.StatusCode = 401;
        context.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\"";
        context.Response.Headers["DPoP-Nonce"] = nonce;
        await context.Response.WriteAsync("challenge");
    }

    private static HttpRequestMessage Get(string path = "resource") => new HttpRequestMessage(HttpMethod.Get, path).SetDPoPAccessToken(Token);

    // ---- key provider -------------------------------------------------------------------------------------------

    [Test]
    public async Task KeyProvider_Slow_CancelledByCaller_ThrowsOperationCanceled_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<HangingKeyProvider>());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(async () => await client.Http.SendAsync(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_Slow_HttpClientTimeout_ThrowsTaskCanceledWithTimeout_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<HangingKeyProvider>(), timeout: TimeSpan.FromMilliseconds(300));

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_Slow_SyncSend_Cancelled_ThrowsOperationCanceled()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<HangingKeyProvider>());
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(200));

        Assert.That(() => client.Http.Send(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_SlowButFinishes_RequestSucceeds()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<SlowKeyProvider>());
        using var response = await client.Http.SendAsync(Get());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(DPoPKey.ComputeJwkThumbprint(server.Seen.Single().Verified.JwkJson), Is.EqualTo(SlowKeyProvider.Key.JwkThumbprint));
        });
    }

    [TestCase(typeof(ThrowingKeyProvider))]
    [TestCase(typeof(SyncThrowingKeyProvider))]
    public async Task KeyProvider_Throws_ExceptionPassesThroughUnchanged_NothingSent(Type provider)
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, b) =>
        {
            if (provider == typeof(ThrowingKeyProvider))
            {
                b.AddDPoPKeyProvider<ThrowingKeyProvider>();
            }
            else
            {
                b.AddDPoPKeyProvider<SyncThrowingKeyProvider>();
            }
        });

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<KeyStoreUnavailableException>().With.Message.EqualTo("the key vault is down"));
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_ReturnsNull_ThrowsInvalidOperationNamingTheProvider_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<NullKeyProvider>());

        Assert.That(async () => await client.Http.SendAsync(Get()),
            Throws.InvalidOperationException.With.Message.Contains("key").And.Message.Contains("null").And.Message.Contains(DPoPTestHost.ClientName));
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task KeyProvider_ReturnsDisposedKey_ThrowsObjectDisposed_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (s, _) => s.AddDPoPKeyProvider<DisposedKeyProvider>());

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<ObjectDisposedException>());
        Assert.That(server.Seen, Is.Empty);
    }

    [Test]
    public async Task TokenProvider_Throws_ExceptionPassesThrough_NothingSent()
    {
        await using var server = await KestrelTestServer.StartAsync((c, _) => c.Response.WriteAsync("ok"));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (_, b) => b.AddDPoPAccessTokenProvider<ThrowingTokenProvider>());

        Assert.That(async () => await client.Http.GetAsync(new Uri("resource", UriKind.Relative)), Throws.InstanceOf<KeyStoreUnavailableException>());
        Assert.That(server.Seen, Is.Empty);
    }

    // ---- slow server, cancellation and timeouts ------------------------------------------------------------------

    [Test]
    public async Task FirstAttempt_ServerSlow_Cancelled_ThrowsOperationCanceled_NoRetry()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        Assert.That(async () => await client.Http.SendAsync(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(server.Seen, Has.Count.EqualTo(1));
            Assert.That(client.Tracker.Undisposed(), Is.Empty);
        });
    }

    [Test]
    public async Task FirstAttempt_ServerSlow_HttpClientTimeout_ThrowsTaskCanceledWithTimeout()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(1));

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.That(server.Seen, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Retry_ServerSlow_Cancelled_ThrowsOperationCanceled_ChallengeDisposed()
    {
        await using var server = await ChallengeThen(async c => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        Assert.That(async () => await client.Http.SendAsync(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(server.Seen, Has.Count.EqualTo(2));
            Assert.That(client.Tracker.Responses, Has.Count.EqualTo(1));
            Assert.That(client.Tracker.Undisposed(), Is.Empty, "the challenge answered before the retry is disposed");
        });
    }

    [Test]
    public async Task Retry_ServerSlow_HttpClientTimeout_ThrowsTaskCanceledWithTimeout_ChallengeDisposed()
    {
        await using var server = await ChallengeThen(async c => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(2));

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.Multiple(() =>
        {
            Assert.That(server.Seen, Has.Count.EqualTo(2));
            Assert.That(client.Tracker.Undisposed(), Is.Empty);
        });
    }

    [Test]
    public async Task ErrorBody_ServerStallsMidBody_HttpClientTimeout_ResponseDisposed()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            c.Response.StatusCode = 400;
            c.Response.Headers["DPoP-Nonce"] = "n-stall";
            await c.Response.WriteAsync("{\"error_description\":\"");
            await c.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted);
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(2));
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("x") };

        Assert.That(async () => await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead),
            Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.That(client.Tracker.Undisposed(), Is.Empty, "the stalled 400 is disposed, its connection released");
    }

    // ---- connections closed by the server -------------------------------------------------------------------------

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

    // ---- request bodies --------------------------------------------------------------------------------------------

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

    // ---- streaming responses ---------------------------------------------------------------------------------------

    [Test]
    public async Task HeadersRead_LargeSuccessBody_StreamsThroughTheHandler_Whole()
    {
        var firstChunkRead = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var payload = Enumerable.Range(0, 4 << 20).Select(i => (byte)(i * 31)).ToArray();
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            await c.Response.Body.WriteAsync(payload.AsMemory(0, 1 << 20));
            await c.Response.Body.FlushAsync();

            // The rest only once the caller has read the beginning: proof that nothing buffers the whole body.
            await firstChunkRead.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await c.Response.Body.WriteAsync(payload.AsMemory(1 << 20));
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var response = await client.Http.SendAsync(Get(), HttpCompletionOption.ResponseHeadersRead);
        await using var stream = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[81920];
        int read;
        while ((read = await stream.ReadAsync(buffer)) > 0)
        {
            received.Write(buffer, 0, read);
            if (received.Length >= 1 << 19)
            {
                firstChunkRead.TrySetResult();
            }
        }

        Assert.That(received.ToArray(), Is.EqualTo(payload));
    }

    [TestCase(true, TestName = "HeadersRead_LargeChallengeBody_NotRetried_StreamsToTheCallerWhole_NoNewNonce")]
    [TestCase(false, TestName = "HeadersRead_LargeChallengeBody_NotRetried_StreamsToTheCallerWhole_BodyNotResendable")]
    public async Task HeadersRead_LargeErrorBody_ReturnedBeforeTheServerFinishes_CallerReadsItWhole(bool withoutNonce)
    {
        var handedOut = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var head = "{\"error\":\"use_dpop_nonce\",\"error_description\":\"" + new string('e', 40_000);
        var tail = new string('f', 400_000) + "\"}";
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            c.Response.StatusCode = 400;
            c.Response.ContentType = "application/json";
            if (!withoutNonce)
            {
                c.Response.Headers["DPoP-Nonce"] = "n-large";
            }

            await c.Response.WriteAsync(head);
            await c.Response.Body.FlushAsync();
            await handedOut.Task.WaitAsync(TimeSpan.FromSeconds(10));
            await c.Response.WriteAsync(tail);
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        // Larger than MaxBufferedRequestBodySize and of unknown size: it cannot be recorded whole, so never resent.
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StreamContent(new ForwardOnlyStream(new byte[100_000])) };
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        handedOut.SetResult();
        var body = await response.Content.ReadAsStringAsync();

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(body, Is.EqualTo(head + tail));
            Assert.That(server.Seen, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task HeadersRead_ChallengeRetried_TheRetryStreams()
    {
        var payload = new string('r', 2_000_000);
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            if (IsFirstProof(c))
            {
                c.Response.StatusCode = 400;
                c.Response.Headers["DPoP-Nonce"] = "n-retry";
                await c.Response.WriteAsync("{\"error\":\"use_dpop_nonce\"}");
                return;
            }

            await c.Response.WriteAsync(payload);
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("grant") };
        using var response = await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(payload));
            Assert.That(server.Seen.Select(s => s.Body), Is.EqualTo(new[] { "grant", "grant" }));
            Assert.That(client.Tracker.Undisposed(response), Is.Empty);
        });
    }

    [TestCase(false, TestName = "GzipChallenge_PrimaryDoesNotDecompress_HandlerStillRecognizesIt")]
    [TestCase(true, TestName = "GzipChallenge_PrimaryDecompresses_HandlerRecognizesIt")]
    public async Task GzipEncodedTokenEndpointChallenge_IsRecognized_AndTheRetrySucceeds(bool primaryDecompresses)
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            if (IsFirstProof(c))
            {
                c.Response.StatusCode = 400;
                c.Response.ContentType = "application/json";
                c.Response.Headers.ContentEncoding = "gzip";
                c.Response.Headers["DPoP-Nonce"] = "n-gzip";
                using var compressed = new MemoryStream();
                using (var gzip = new System.IO.Compression.GZipStream(compressed, System.IO.Compression.CompressionLevel.Fastest, leaveOpen: true))
                {
                    gzip.Write("{\"error\":\"use_dpop_nonce\"}"u8);
                }

                await c.Response.Body.WriteAsync(compressed.ToArray());
                return;
            }

            await c.Response.WriteAsync("token");
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, services: (_, b) => b.ConfigurePrimaryHttpMessageHandler(() =>
        {
            var primary = LoopbackOnly.CreatePrimaryHandler();
            primary.AutomaticDecompression = primaryDecompresses ? DecompressionMethods.All : DecompressionMethods.None;
            return primary;
        }));
        using var response = await client.Http.PostAsync(new Uri("token", UriKind.Relative), new StringContent("grant"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("token"));
            Assert.That(server.Seen.Last().Verified.Claim("nonce"), Is.EqualTo("n-gzip"));
        });
    }

    // ---- providers used above --------------------------------------------------------------------------------------

    public sealed class KeyStoreUnavailableException(string message) : Exception(message);

    public sealed class HangingKeyProvider : IDPoPKeyProvider
    {
        public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            await Task.Delay(Timeout.Infinite, cancellationToken);
            throw new System.Diagnostics.UnreachableException();
        }
    }

    public sealed class SlowKeyProvider : IDPoPKeyProvider
    {
        public static readonly DPoPKey Key = DPoPKey.Generate();

        public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            await Task.Delay(100, cancellationToken);
            return Key;
        }
    }

    public sealed class ThrowingKeyProvider : IDPoPKeyProvider
    {
        public async ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken)
        {
            await Task.Yield();
            throw new KeyStoreUnavailableException("the key vault is down");
        }
    }

    public sealed class SyncThrowingKeyProvider : IDPoPKeyProvider
    {
        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) =>
            throw new KeyStoreUnavailableException("the key vault is down");
    }

    public sealed class NullKeyProvider : IDPoPKeyProvider
    {
        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult<DPoPKey>(null!);
    }

    public sealed class DisposedKeyProvider : IDPoPKeyProvider
    {
        private static readonly DPoPKey Disposed = CreateDisposed();

        public ValueTask<DPoPKey> GetKeyAsync(string keyName, CancellationToken cancellationToken) => ValueTask.FromResult(Disposed);

        private static DPoPKey CreateDisposed()
        {
            var key = DPoPKey.Generate();
            key.Dispose();
            return key;
        }
    }

    public sealed class ThrowingTokenProvider : IDPoPAccessTokenProvider
    {
        public ValueTask<string?> GetAccessTokenAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            throw new KeyStoreUnavailableException("the token cache is down");
    }
}

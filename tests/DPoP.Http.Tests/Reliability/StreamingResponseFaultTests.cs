using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using static DPoP.Http.Tests.Reliability.FaultScenario;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Responses read as they stream (HttpCompletionOption.ResponseHeadersRead): large bodies, challenges that are
/// not retried, a retry that streams, and gzip-encoded challenges.
/// </summary>
[Category("Integration")]
public sealed class StreamingResponseFaultTests
{
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
}

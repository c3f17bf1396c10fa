using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// The handler looks into 400 bodies for <c>use_dpop_nonce</c>: it must read at most 16 KB of them (counted at the
/// stream), leave the caller the whole body intact, and dispose what it read when reading fails or is cancelled.
/// </summary>
public sealed class ResponseBodyBoundTests
{
    private static byte[] HugeBody(int size)
    {
        var text = new StringBuilder("{\"error_description\":\"");
        var random = new Random(size);
        while (text.Length < size - 2)
        {
            text.Append((char)random.Next('a', 'z' + 1));
        }

        text.Append("\"}");
        return Encoding.ASCII.GetBytes(text.ToString());
    }

    private static Task<HttpResponseMessage> PostHeadersReadAsync(HttpClient client, CancellationToken cancellationToken) =>
        client.SendAsync(new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("x") }, HttpCompletionOption.ResponseHeadersRead, cancellationToken);

    private static HttpResponseMessage BadRequest(Stream body, long? length = null)
    {
        var content = new StreamContent(body);
        content.Headers.ContentType = new("application/json");
        content.Headers.ContentLength = length;
        var response = new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = content };
        response.Headers.TryAddWithoutValidation("DPoP-Nonce", "n-huge");
        return response;
    }

    [TestCase(1 << 20, 1 << 20, TestName = "HugeChunkedBody_OneBigRead_HandlerReadsAtMost16KB_CallerReadsItWhole", Category = "Slow")]
    [TestCase(1 << 20, 4096, TestName = "HugeChunkedBody_4KReads_HandlerReadsAtMost16KB_CallerReadsItWhole", Category = "Slow")]
    [TestCase(1 << 20, 1000, TestName = "HugeChunkedBody_OddReads_HandlerReadsAtMost16KB_CallerReadsItWhole", Category = "Slow")]
    [TestCase(16 * 1024, 1 << 20, TestName = "ChunkedBodyOfExactly16KB_HandlerReadsItAll_CallerReadsItWhole")]
    [TestCase((16 * 1024) + 1, 1 << 20, TestName = "ChunkedBodyOf16KBPlusOne_HandlerReadsAtMost16KB_CallerReadsItWhole")]
    public async Task ChunkedBody_HandlerReadsAtMost16KB_CallerStillReadsTheWholeBody(int size, int chunk)
    {
        var data = HugeBody(size);
        var stream = new CountingStream(data, chunk);
        using var host = new DPoPTestHost((_, _) => BadRequest(stream));
        using var response = await PostHeadersReadAsync(host.CreateClient(), CancellationToken.None);
        var readByHandler = stream.BytesRead;

        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.Multiple(() =>
        {
            Assert.That(readByHandler, Is.LessThanOrEqualTo(DPoPNonceChallenge.MaxErrorBodyBytes), "bytes the handler read before the caller");
            Assert.That(readByHandler, Is.GreaterThan(0), "the handler did look");
            Assert.That(body, Is.EqualTo(data), "the caller reads the whole body, byte for byte");
            Assert.That(stream.BytesRead, Is.EqualTo(data.Length));
            Assert.That(host.Requests, Has.Length.EqualTo(1));
        });
    }

    [Test]
    [Category("Slow")]
    public void HugeChunkedBody_Sync_HandlerReadsAtMost16KB_CallerReadsItWhole()
    {
        var data = HugeBody(1 << 20);
        var stream = new CountingStream(data, 1 << 20);
        using var host = new DPoPTestHost((_, _) => BadRequest(stream));
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("x") };
        using var response = host.CreateClient().Send(request, HttpCompletionOption.ResponseHeadersRead);
        var readByHandler = stream.BytesRead;
        using var copy = new MemoryStream();
        response.Content.ReadAsStream().CopyTo(copy);

        Assert.Multiple(() =>
        {
            Assert.That(readByHandler, Is.InRange(1, DPoPNonceChallenge.MaxErrorBodyBytes));
            Assert.That(copy.ToArray(), Is.EqualTo(data));
        });
    }

    [Test]
    [Category("Slow")]
    public async Task HugeBodyOfKnownLength_IsNotReadByTheHandlerAtAll()
    {
        var data = HugeBody(1 << 20);
        var stream = new CountingStream(data);
        using var host = new DPoPTestHost((_, _) => BadRequest(stream, data.Length));
        using var response = await PostHeadersReadAsync(host.CreateClient(), CancellationToken.None);
        var readByHandler = stream.BytesRead;

        Assert.Multiple(async () =>
        {
            Assert.That(readByHandler, Is.Zero);
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(data));
        });
    }

    [Test]
    [Category("Slow")]
    public async Task HugeChunkedBody_ReadTwiceAsString_ByABufferingCaller_IsWholeBothTimes()
    {
        var data = HugeBody(100_000);
        using var host = new DPoPTestHost((_, _) => BadRequest(new CountingStream(data)));
        using var response = await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new StringContent("x"));

        var expected = Encoding.ASCII.GetString(data);
        Assert.Multiple(async () =>
        {
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(expected));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(expected));
        });
    }

    [TestCase(false, TestName = "BodyReadFailsMidway_Async_ThrowsHttpRequestExceptionWithTheIOFailureInside_ResponseAndStreamDisposed")]
    [TestCase(true, TestName = "BodyReadFailsMidway_Sync_ThrowsHttpRequestExceptionWithTheIOFailureInside_ResponseAndStreamDisposed")]
    public void BodyReadFailsMidway_ThrowsHttpRequestExceptionWithTheIOFailureInside_ResponseAndStreamDisposed(bool sync)
    {
        var stream = new CountingStream(HugeBody(100_000), chunk: 1000, failAfter: 3000);
        var tracker = new ResponseTracker();
        using var host = new DPoPTestHost((_, _) => BadRequest(stream), services: (_, b) => b.AddHttpMessageHandler(tracker.CreateHandler));
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("x") };
        var client = host.CreateClient();

        Assert.Multiple(() =>
        {
            Assert.That(
                async () => (sync ? client.Send(request, HttpCompletionOption.ResponseHeadersRead) : await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead)).Dispose(),
                Throws.TypeOf<HttpRequestException>().With.InnerException.InstanceOf<IOException>().And.InnerException.Message.Contains("reset by the test"));
            Assert.That(tracker.Responses, Has.Count.EqualTo(1));
            Assert.That(tracker.Undisposed(), Is.Empty, "the failed response is disposed, not leaked");
            Assert.That(stream.Disposed, Is.True);
            Assert.That(host.Requests, Has.Length.EqualTo(1), "no retry on a broken response");
        });
    }

    [Test]
    public void BodyReadHangs_CancellationEscapesAsOperationCanceled_ResponseDisposed()
    {
        var tracker = new ResponseTracker();
        var stream = new HangingStream();
        using var host = new DPoPTestHost((_, _) => BadRequest(stream), services: (_, b) => b.AddHttpMessageHandler(tracker.CreateHandler));
        using var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(300));

        Assert.Multiple(() =>
        {
            Assert.That(
                async () => (await PostHeadersReadAsync(host.CreateClient(), cts.Token)).Dispose(),
                Throws.InstanceOf<OperationCanceledException>());
            Assert.That(tracker.Undisposed(), Is.Empty, "the abandoned response is disposed");
            Assert.That(stream.Disposed, Is.True);
        });
    }

    [Test]
    public void BrotliGarbageBody_IsNotAChallenge_AndDoesNotThrow()
    {
        var garbage = Encoding.ASCII.GetBytes("definitely not brotli, but labelled so");
        Assert.Multiple(async () =>
        {
            foreach (var encoding in new[] { "br", "gzip", "deflate", "x-gzip" })
            {
                using var host = new DPoPTestHost((_, _) =>
                {
                    var response = BadRequest(new MemoryStream(garbage), garbage.Length);
                    response.Content.Headers.ContentEncoding.Add(encoding);
                    return response;
                });
                using var response = await host.CreateClient().PostAsync(new Uri("token", UriKind.Relative), new StringContent("x"));
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), encoding);
                Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(garbage), encoding);
            }
        });
    }
}

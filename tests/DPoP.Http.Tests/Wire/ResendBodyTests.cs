using System.Net;
using System.Net.Http.Json;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DPoP.Http.Tests.Wire;

/// <summary>
/// A request sent twice (nonce challenge, 307) carries the same body bytes both times, or is not sent twice: checked
/// on a real Kestrel server over HTTP/1.1 and HTTP/2, with contents whose second serialization would differ.
/// </summary>
[TestFixture(HttpProtocols.Http1)]
[TestFixture(HttpProtocols.Http2)]
internal sealed class ResendBodyTests(HttpProtocols protocol)
{
    [Test]
    public async Task NonceRetry_JsonContentOverOneShotAsyncEnumerable_ResendsTheSameBytes()
    {
        await using var server = await StartNonceChallengingServerAsync();
        using var client = new WireTestClient(protocol);
        using var response = await client.SendAsync(client.Request(HttpMethod.Post, server.BaseAddress, JsonContent.Create(OneShot(1, 2))));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen.Select(s => s.Body), Is.EqualTo(new[] { "[1,2]", "[1,2]" }));
        });
    }

    [Test]
    public async Task NonceRetry_JsonContentOverLazySequenceWithSideEffects_ResendsTheSameBytes()
    {
        var calls = 0;
        IEnumerable<int> Lazy()
        {
            yield return Interlocked.Increment(ref calls);
        }

        await using var server = await StartNonceChallengingServerAsync();
        using var client = new WireTestClient(protocol);
        using var response = await client.SendAsync(client.Request(HttpMethod.Post, server.BaseAddress, JsonContent.Create(Lazy())));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen.Select(s => s.Body), Is.EqualTo(new[] { "[1]", "[1]" }));
            Assert.That(calls, Is.EqualTo(1), "serialized once");
        });
    }

    [Test]
    public async Task NonceRetry_ByteArrayContentSubclassThatSerializesDifferently_ResendsTheSameBytes()
    {
        await using var server = await StartNonceChallengingServerAsync();
        using var client = new WireTestClient(protocol);
        using var response = await client.SendAsync(client.Request(HttpMethod.Post, server.BaseAddress, new CountingContent()));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen.Select(s => s.Body), Is.EqualTo(new[] { "send-1", "send-1" }));
        });
    }

    [Test]
    public async Task NonceRetry_MultipartWithAJsonPart_ResendsTheSameBytes()
    {
        await using var server = await StartNonceChallengingServerAsync();
        using var client = new WireTestClient(protocol);
        var multipart = new MultipartFormDataContent("boundary") { { new StringContent("a"), "text" }, { JsonContent.Create(OneShot(7)), "json" } };
        using var response = await client.SendAsync(client.Request(HttpMethod.Post, server.BaseAddress, multipart));

        var bodies = server.Seen.Select(s => s.Body).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(bodies, Has.Length.EqualTo(2));
            Assert.That(bodies[0], Does.Contain("[7]"));
            Assert.That(bodies[1], Is.EqualTo(bodies[0]));
        });
    }

    [Test]
    public async Task NonceRetry_JsonContentLargerThanTheBufferLimit_IsNotResent_AndTheFirstSendIsWhole()
    {
        await using var server = await StartNonceChallengingServerAsync();
        using var client = new WireTestClient(protocol, new DPoPHandlerOptions { MaxBufferedRequestBodySize = 1024 });
        var values = Enumerable.Range(0, 1000).ToArray();
        using var response = await client.SendAsync(client.Request(HttpMethod.Post, server.BaseAddress, JsonContent.Create(OneShot(values))));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "the challenge is returned");
            Assert.That(server.Seen.Select(s => s.Body), Is.EqualTo(new[] { "[" + string.Join(",", values) + "]" }));
        });
    }

    [Test]
    public async Task Redirect307_JsonContentOverOneShotAsyncEnumerable_ResendsTheSameBytes()
    {
        await using var server = await KestrelTestServer.StartAsync(
            (context, _) =>
            {
                if (context.Request.Path == "/from")
                {
                    context.Response.StatusCode = 307;
                    context.Response.Headers.Location = "/to";
                }

                return Task.CompletedTask;
            },
            protocol);
        using var client = new WireTestClient(protocol);
        using var response = await client.SendAsync(client.Request(HttpMethod.Post, new Uri(server.BaseAddress, "from"), JsonContent.Create(OneShot(3, 4))));

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(server.Seen.Select(s => $"{s.Uri.AbsolutePath} {s.Body}"), Is.EqualTo(new[] { "/from [3,4]", "/to [3,4]" }));
        });
    }

    /// <summary>A sequence that can be enumerated once, like a database cursor or a channel reader: then it is empty.</summary>
    private static OneShotSequence OneShot(params int[] values) => new(values);

    private Task<KestrelTestServer> StartNonceChallengingServerAsync() => KestrelTestServer.StartAsync(
        (context, seen) =>
        {
            if (!seen.Verified.HasClaim("nonce"))
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\"";
                context.Response.Headers["DPoP-Nonce"] = "wire-nonce";
            }

            return Task.CompletedTask;
        },
        protocol);

    /// <summary>A ByteArrayContent subclass whose bytes differ on every serialization (a signature, a timestamp).</summary>
    private sealed class CountingContent() : ByteArrayContent([])
    {
        private int _sends;

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
            stream.WriteAsync(Encoding.ASCII.GetBytes($"send-{Interlocked.Increment(ref _sends)}"), cancellationToken).AsTask();

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
            SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    private sealed class OneShotSequence(int[] values) : IAsyncEnumerable<int>
    {
        private int _enumerated;

        public async IAsyncEnumerator<int> GetAsyncEnumerator(CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            if (Interlocked.Exchange(ref _enumerated, 1) != 0)
            {
                yield break;
            }

            foreach (var value in values)
            {
                yield return value;
            }
        }
    }
}

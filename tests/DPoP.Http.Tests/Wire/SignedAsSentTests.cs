using System.Net;
using System.Net.Http.Json;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;

namespace DPoP.Http.Tests.Wire;

/// <summary>
/// What a proof signs is what the transport puts on the wire, checked by a real Kestrel server over HTTP/1.1 and
/// HTTP/2: <c>htm</c> against the method it received, <c>htu</c> against the target URI it reconstructs from the
/// request line (or <c>:authority</c>) and the <c>Host</c> header (RFC 9110 §7.1, RFC 9449 §4.3 checks 7 and 8).
/// </summary>
[TestFixture(HttpProtocols.Http1)]
[TestFixture(HttpProtocols.Http2)]
internal sealed class SignedAsSentTests(HttpProtocols protocol)
{
    [TestCase("get", "GET")]
    [TestCase("Post", "POST")]
    [TestCase("Delete", "DELETE")]
    [TestCase("patch", "PATCH")]
    [TestCase("PUT", "PUT")]
    [TestCase("options", "OPTIONS")]
    [TestCase("PROPFIND", "PROPFIND")]
    [TestCase("propfind", "propfind")]
    public async Task SendAsync_MethodInAnyCase_HtmIsTheMethodTheServerReceived(string method, string onTheWire)
    {
        await using var server = await StartCheckingServerAsync();
        using var client = new WireTestClient(protocol);
        using var response = await client.SendAsync(client.Request(new HttpMethod(method), new Uri(server.BaseAddress, "items/1?q=2")));

        var seen = server.Seen.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => response.Headers.GetValues("X-Check").Single());
            Assert.That(seen.Method.Method, Is.EqualTo(onTheWire));
            Assert.That(seen.Verified.Claim("htm"), Is.EqualTo(onTheWire));
        });
    }

    [TestCase("api.example", "api.example")]
    [TestCase("API.Example:80", "api.example")]
    [TestCase("api.example:8443", "api.example:8443")]
    [TestCase("127.0.0.1", "127.0.0.1")]
    public async Task SendAsync_ExplicitHostHeader_HtuNamesTheAuthorityTheServerSees(string host, string authority)
    {
        await using var server = await StartCheckingServerAsync();
        using var client = new WireTestClient(protocol);
        using var request = client.Request(HttpMethod.Get, new Uri(server.BaseAddress, "x/y?z=1"));
        request.Headers.Host = host;
        using var response = await client.SendAsync(request);

        var seen = server.Seen.Single();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), () => response.Headers.GetValues("X-Check").Single());
            Assert.That(seen.Verified.Claim("htu"), Is.EqualTo($"http://{authority}/x/y"));
        });
    }

    [Test]
    public async Task SendAsync_HostHeaderThatIsNoAuthority_ThrowsNamingTheHostHeader()
    {
        await using var server = await StartCheckingServerAsync();
        using var client = new WireTestClient(protocol);
        using var request = client.Request(HttpMethod.Get, server.BaseAddress);
        request.Headers.TryAddWithoutValidation("Host", "user@api.example");

        var ex = Assert.ThrowsAsync<InvalidOperationException>(() => client.SendAsync(request));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Message, Does.Contain("Host header"));
            Assert.That(server.Seen, Is.Empty);
        });
    }

    /// <summary>A resource server that demands a nonce first, then checks htm and htu as RFC 9449 §4.3 does.</summary>
    private Task<KestrelTestServer> StartCheckingServerAsync() => KestrelTestServer.StartAsync(
        (context, seen) =>
        {
            var proof = seen.Verified;
            var expectedHtu = new Uri($"{context.Request.Scheme}://{context.Request.Host}{context.Request.Path}").GetLeftPart(UriPartial.Path);
            var problems = new StringBuilder();
            if (proof.Claim("htm") != context.Request.Method)
            {
                problems.Append("htm ").Append(proof.Claim("htm")).Append(" != ").Append(context.Request.Method).Append("; ");
            }

            if (proof.Claim("htu") != expectedHtu)
            {
                problems.Append("htu ").Append(proof.Claim("htu")).Append(" != ").Append(expectedHtu);
            }

            context.Response.StatusCode = problems.Length == 0 ? 200 : 401;
            context.Response.Headers["X-Check"] = problems.Length == 0 ? "ok" : problems.ToString();
            return Task.CompletedTask;
        },
        protocol);
}

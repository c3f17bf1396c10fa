using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.Tests.Wire;

/// <summary>
/// The DPoP handler follows redirects with the rules of SocketsHttpHandler: for every redirect status and method,
/// the same request is sent once through a plain SocketsHttpHandler that follows redirects itself and once through
/// the DPoP handler, and the hop after the redirect must arrive with the same method and body.
/// </summary>
internal sealed class RedirectTableTests
{
    private static readonly int[] Statuses = [300, 301, 302, 303, 307, 308];

    private static readonly string[] Methods = ["GET", "HEAD", "POST", "post", "PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND"];

    private static IEnumerable<TestCaseData> Cases() =>
        from status in Statuses from method in Methods select new TestCaseData(status, method).SetName($"Redirect_{status}_{method}_MatchesSocketsHttpHandler");

    [TestCaseSource(nameof(Cases))]
    public async Task Redirect_NextHopMethodAndBody_MatchSocketsHttpHandler(int status, string method)
    {
        await using var server = await KestrelTestServer.StartAsync((context, _) =>
        {
            if (context.Request.Path.StartsWithSegments("/redirect", StringComparison.Ordinal))
            {
                context.Response.StatusCode = status;
                context.Response.Headers.Location = "/landing";
            }

            return Task.CompletedTask;
        });

        using (var plain = new HttpClient(new SocketsHttpHandler { AllowAutoRedirect = true, UseProxy = false }))
        {
            (await plain.SendAsync(NewRequest(method, new Uri(server.BaseAddress, "redirect/plain")))).Dispose();
        }

        using var key = DPoPKey.Generate();
        using (var dpop = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = LoopbackOnly.CreatePrimaryHandler() }))
        {
            (await dpop.SendAsync(NewRequest(method, new Uri(server.BaseAddress, "redirect/dpop")))).Dispose();
        }

        var seen = server.Seen.ToArray();
        Assert.That(seen, Has.Length.EqualTo(4), "one redirect and one landing per client");
        var (viaTransport, viaDPoP) = (seen[1], seen[3]);
        Assert.Multiple(() =>
        {
            Assert.That(viaDPoP.Uri.AbsolutePath, Is.EqualTo("/landing"));
            Assert.That(viaDPoP.Method.Method, Is.EqualTo(viaTransport.Method.Method), "method of the next hop");
            Assert.That(viaDPoP.Body ?? string.Empty, Is.EqualTo(viaTransport.Body ?? string.Empty), "body of the next hop");
            Assert.That(viaDPoP.Verified.Claim("htm"), Is.EqualTo(viaDPoP.Method.Method), "the next hop's proof");
        });
    }

    private static HttpRequestMessage NewRequest(string method, Uri uri)
    {
        var request = new HttpRequestMessage(new HttpMethod(method), uri);
        if (method is not ("GET" or "HEAD"))
        {
            request.Content = new StringContent("the-body");
        }

        return request;
    }
}

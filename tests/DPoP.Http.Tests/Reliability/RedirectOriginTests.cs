using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// Redirects between two real Kestrel servers on 127.0.0.1 and between host names of one server (<c>localhost</c>
/// and <c>127.0.0.1</c> are different origins): every request any server saw carried exactly one proof whose
/// <c>htm</c>/<c>htu</c> are that request's own, a nonce only of its own origin, and a token only at the origin the
/// caller addressed. Each server hands out a nonce per origin on every answer, redirects included.
/// </summary>
[Category("Integration")]
public sealed class RedirectOriginTests
{
    private const string Token = "redirect-origin-token";

    private static readonly int[] Statuses = [301, 302, 303, 307, 308];

    private static string NonceFor(string scheme, string hostAndPort) => "nonce-" + scheme + "-" + hostAndPort.Replace(':', '-').Replace('[', '-').Replace(']', '-');

    private static Task<KestrelTestServer> StartServerAsync() => KestrelTestServer.StartAsync(async (context, seen) =>
    {
        context.Response.Headers["DPoP-Nonce"] = NonceFor(context.Request.Scheme, context.Request.Host.Value!);
        if (context.Request.Path.StartsWithSegments("/redirect"))
        {
            context.Response.StatusCode = int.Parse(context.Request.Query["status"]!, System.Globalization.CultureInfo.InvariantCulture);
            context.Response.Headers.Location = context.Request.Query["to"].ToString();
            await context.Response.WriteAsync("redirecting");
            return;
        }

        await context.Response.WriteAsync("landed " + seen.Method + " " + (seen.Body ?? "<no body>"));
    });

    private static Uri RedirectUri(Uri from, int status, string to) =>
        new(from, $"redirect?status={status}&to={Uri.EscapeDataString(to)}&q=secret#frag");

    private static void AssertEveryRequestWasSignedForItself(Uri callerOrigin, params KestrelTestServer[] servers)
    {
        foreach (var server in servers)
        {
            foreach (var seen in server.Seen)
            {
                var proof = seen.Verified;
                var where = $"{seen.Method} {seen.Uri}";
                Assert.Multiple(() =>
                {
                    Assert.That(seen.DPoPHeaders, Has.Count.EqualTo(1), where);
                    Assert.That(proof.Claim("htm"), Is.EqualTo(seen.Method.Method), where);
                    Assert.That(proof.Claim("htu"), Is.EqualTo(seen.Uri.GetLeftPart(UriPartial.Path)), where);
                    if (proof.HasClaim("nonce"))
                    {
                        Assert.That(proof.Claim("nonce"), Is.EqualTo(NonceFor(seen.Uri.Scheme, seen.Uri.Authority)), "a nonce of another origin at " + where);
                    }

                    if (seen.Authorization is not null || proof.HasClaim("ath"))
                    {
                        Assert.That(DPoPRedirect.IsSameOrigin(seen.Uri, callerOrigin), Is.True, "the token reached another origin: " + where);
                        Assert.That(seen.Authorization, Is.EqualTo("DPoP " + Token), where);
                        Assert.That(proof.Claim("ath"), Is.EqualTo(DPoPProof.ComputeAth(Token)), where);
                    }
                });
            }
        }
    }

    private static IEnumerable<TestCaseData> Matrix()
    {
        foreach (var status in Statuses)
        {
            foreach (var method in new[] { "GET", "POST", "PUT", "HEAD" })
            {
                foreach (var target in new[] { "relative", "sameOriginAbsolute", "otherServer", "localhostTo127", "schemeRelativeToOtherServer" })
                {
                    foreach (var primeTarget in new[] { false, true })
                    {
                        yield return new TestCaseData(status, method, target, primeTarget)
                            .SetName($"Redirect_{status}_{method}_{target}{(primeTarget ? "_TargetPrimed" : string.Empty)}");
                    }
                }
            }
        }
    }

    [TestCaseSource(nameof(Matrix))]
    public async Task Redirect_EveryHopSignedForItself_NoTokenOrNonceCrossesOrigins(int status, string method, string target, bool primeTarget)
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        var aLocal = new UriBuilder(a.BaseAddress) { Host = "localhost" }.Uri;
        var (from, to) = target switch
        {
            "relative" => (a.BaseAddress, "/landing/rel?x=1"),
            "sameOriginAbsolute" => (a.BaseAddress, new Uri(a.BaseAddress, "landing/abs?x=1").ToString()),
            "otherServer" => (a.BaseAddress, new Uri(b.BaseAddress, "landing/b?x=1").ToString()),
            "localhostTo127" => (aLocal, new Uri(a.BaseAddress, "landing/127?x=1").ToString()),
            _ => (a.BaseAddress, $"//{b.BaseAddress.Authority}/landing/schemeless"),
        };
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler);

        // Every origin involved learns its nonce first, so that a leak would show.
        foreach (var origin in new[] { from, primeTarget ? new Uri(new Uri(from, to), "/") : from }.Distinct())
        {
            (await client.Http.GetAsync(new Uri(origin, "prime"))).Dispose();
        }

        using var request = new HttpRequestMessage(new HttpMethod(method), RedirectUri(from, status, to))
        {
            Content = method is "POST" or "PUT" ? new StringContent("the body") : null,
        };
        request.SetDPoPAccessToken(Token);
        using var response = await client.Http.SendAsync(request);

        var keepsMethod = status is 307 or 308 || (status is 301 or 302 && method != "POST") || (status == 303 && method == "HEAD");
        var expectedMethod = keepsMethod ? method : "GET";
        var landing = a.Seen.Concat(b.Seen).Single(s => s.Uri.AbsolutePath.StartsWith("/landing", StringComparison.Ordinal));
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(landing.Method.Method, Is.EqualTo(expectedMethod));
            Assert.That(landing.Body, Is.EqualTo(keepsMethod && method is "POST" or "PUT" ? "the body" : null));
            Assert.That(client.Tracker.Undisposed(response), Is.Empty, "the redirect responses are disposed");
        });
        AssertEveryRequestWasSignedForItself(from, a, b);
    }

    [Test]
    public async Task RedirectChain_AcrossThreeOrigins_AndBack_TokenNeverReturns_EveryHopSignedForItself()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        var aLocal = new UriBuilder(a.BaseAddress) { Host = "localhost" }.Uri;
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler);
        foreach (var origin in new[] { a.BaseAddress, b.BaseAddress, aLocal })
        {
            (await client.Http.GetAsync(new Uri(origin, "prime"))).Dispose();
        }

        // a → b → localhost:a → a → landing on a
        var last = new Uri(a.BaseAddress, "landing/home").ToString();
        var third = RedirectUri(a.BaseAddress, 308, last).ToString();
        var second = RedirectUri(aLocal, 307, third).ToString();
        var first = RedirectUri(b.BaseAddress, 302, second).ToString();
        using var request = new HttpRequestMessage(HttpMethod.Get, RedirectUri(a.BaseAddress, 301, first)).SetDPoPAccessToken(Token);
        using var response = await client.Http.SendAsync(request);

        var hops = a.Seen.Concat(b.Seen).Where(s => !s.Uri.AbsolutePath.EndsWith("/prime", StringComparison.Ordinal)).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(hops, Has.Count.EqualTo(5));
            Assert.That(hops.Count(h => h.Authorization is not null), Is.EqualTo(1), "only the first hop, at the caller's origin, carries the token");
            Assert.That(hops.Select(h => h.Verified.Claim("jti")).Distinct().Count(), Is.EqualTo(5), "a new proof for every hop");
        });
        AssertEveryRequestWasSignedForItself(a.BaseAddress, a, b);
    }

    [Test]
    public async Task LocalhostAnd127_AreDifferentOrigins_ForNonces()
    {
        await using var a = await StartServerAsync();
        var aLocal = new UriBuilder(a.BaseAddress) { Host = "localhost" }.Uri;
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler);
        foreach (var uri in new[] { a.BaseAddress, aLocal, a.BaseAddress, aLocal })
        {
            (await client.Http.SendAsync(new HttpRequestMessage(HttpMethod.Get, new Uri(uri, "x")).SetDPoPAccessToken(Token))).Dispose();
        }

        var seen = a.Seen.ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(seen[0].Verified.HasClaim("nonce"), Is.False);
            Assert.That(seen[1].Verified.HasClaim("nonce"), Is.False, "localhost did not get 127.0.0.1's nonce");
            Assert.That(seen[2].Verified.Claim("nonce"), Is.EqualTo(NonceFor("http", a.BaseAddress.Authority)));
            Assert.That(seen[3].Verified.Claim("nonce"), Is.EqualTo(NonceFor("http", aLocal.Authority)));
        });
        AssertEveryRequestWasSignedForItself(a.BaseAddress, []);
    }

    [Test]
    public async Task Redirect_WithFollowRedirectsOff_NothingFollowed_ByTheHandlerOrThePrimary()
    {
        await using var a = await StartServerAsync();
        await using var b = await StartServerAsync();
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, configure: o => o.Handler.FollowRedirects = false);
        using var request = new HttpRequestMessage(HttpMethod.Get, RedirectUri(a.BaseAddress, 307, new Uri(b.BaseAddress, "landing").ToString())).SetDPoPAccessToken(Token);
        using var response = await client.Http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.TemporaryRedirect));
            Assert.That(b.Seen, Is.Empty);
        });
    }

    [Test]
    public async Task RedirectToAnOriginThatDemandsANonce_RetriesThereWithItsOwnNonce_NoToken()
    {
        await using var b = await KestrelTestServer.StartAsync(async (context, seen) =>
        {
            var nonce = NonceFor("http", context.Request.Host.Value!);
            context.Response.Headers["DPoP-Nonce"] = nonce;
            if (!seen.Verified.HasClaim("nonce"))
            {
                context.Response.StatusCode = 401;
                context.Response.Headers.WWWAuthenticate = "DPoP error=\"use_dpop_nonce\"";
                return;
            }

            await context.Response.WriteAsync("b ok");
        });
        await using var a = await StartServerAsync();
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler);
        (await client.Http.GetAsync(new Uri(a.BaseAddress, "prime"))).Dispose();
        using var request = new HttpRequestMessage(HttpMethod.Post, RedirectUri(a.BaseAddress, 307, new Uri(b.BaseAddress, "landing").ToString()))
        {
            Content = new StringContent("payload"),
        };
        request.SetDPoPAccessToken(Token);
        using var response = await client.Http.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(b.Seen, Has.Count.EqualTo(2));
            Assert.That(b.Seen.Select(s => s.Body), Is.All.EqualTo("payload"));
        });
        AssertEveryRequestWasSignedForItself(a.BaseAddress, a, b);
    }
}

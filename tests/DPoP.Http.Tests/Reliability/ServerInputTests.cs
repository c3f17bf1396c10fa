using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// The reduced inputs from fuzzing what a server sends (issue 22, item 8), through the handler: each is an answer
/// any server can give, and each must reach the caller as the server's response, never as a JSON parser's or
/// <see cref="Uri"/>'s own exception. (A 400 body that cannot be read: <see cref="ResponseBodyBoundTests"/>.)
/// </summary>
public sealed class ServerInputTests
{
    /// <summary>Valid JSON whose escapes name no .NET string (a lone low or high surrogate) where an <c>error</c> could be.</summary>
    private static readonly string[] LoneSurrogateBodies =
    [
        "{\"\\udc00\":1}",
        "{\"err\\ud800\":\"use_dpop_nonce\"}",
        "{\"error\":\"use_dpop_nonce\\udc00\"}",
        "{\"error\":\"\\ud800use_dpop_nonce\"}",
    ];

    private static IEnumerable<TestCaseData> LoneSurrogateCases() => SyncAndAsync(LoneSurrogateBodies);

    [TestCaseSource(nameof(LoneSurrogateCases))]
    public async Task SendAsync_400BodyWithLoneSurrogateEscape_ReturnsTheResponseUnchangedAndReadable(string body, bool sync)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        using var host = new DPoPTestHost((_, n) => n == 1 ? BadRequest(new ByteArrayContent(bytes), "n-1") : MockServer.Ok(body: "retried"));
        var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("grant_type=x") };

        using var response = sync ? client.Send(request) : await client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(await response.Content.ReadAsByteArrayAsync(), Is.EqualTo(bytes), "the caller reads the body the server sent");
            Assert.That(host.Requests, Has.Length.EqualTo(1), "not a nonce challenge: no retry");
        });
    }

    /// <summary>RFC 6749 §5.1: a member whose name is no Unicode text is one the client does not know, and is skipped.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task SendAsync_400UseDPoPNonceBesideALoneSurrogateMemberName_RetriesWithTheNonce(bool sync)
    {
        var bytes = Encoding.UTF8.GetBytes("{\"\\ud800\":1,\"error\":\"use_dpop_nonce\"}");
        using var host = new DPoPTestHost((_, n) => n == 1 ? BadRequest(new ByteArrayContent(bytes), "n-1") : MockServer.Ok(body: "retried"));
        var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("grant_type=x") };

        using var response = sync ? client.Send(request) : await client.SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(host.Requests, Has.Length.EqualTo(2));
            Assert.That(host.Requests[1].Verified.Claim("nonce"), Is.EqualTo("n-1"));
        });
    }

    /// <summary>
    /// Locations whose host IDNA refuses, so that <see cref="Uri.IdnHost"/> throws: a leading combining mark, a
    /// joiner out of context, U+FFFD, a label ending in a hyphen; and the issue's <c>\u05D0b</c>, which fails the
    /// bidi rule under invariant globalization (ICU maps it, and then it is followed like any other host).
    /// </summary>
    private static readonly string[] UnmappableLocations = ["//\u0301a", "//a\u200Db/path", "https://\uFFFD/", "//a\u00E9-/", "//\u05D0b"];

    private static IEnumerable<TestCaseData> UnmappableLocationCases() => SyncAndAsync(UnmappableLocations);

    [TestCaseSource(nameof(UnmappableLocationCases))]
    public async Task SendAsync_RedirectToHostWithoutIdnaForm_ReturnsThe3xxAndLogsTheRefusal(string location, bool sync)
    {
        using var host = new DPoPTestHost((_, n) =>
        {
            if (n > 1)
            {
                return MockServer.Ok(body: "followed");
            }

            var response = new HttpResponseMessage(HttpStatusCode.Found) { Content = new StringContent("moved") };
            Assert.That(response.Headers.TryAddWithoutValidation("Location", location), Is.True);
            return response;
        });
        var client = host.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "resource");
        var refused = !IdnaHost.HasIdnaForm(new Uri(new Uri("https://api.example.com/resource"), location));

        using var response = sync ? client.Send(request) : await client.SendAsync(request);

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(refused ? HttpStatusCode.Found : HttpStatusCode.OK));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(refused ? "moved" : "followed"));
            Assert.That(host.Requests, Has.Length.EqualTo(refused ? 1 : 2));
            Assert.That(host.LogCollector.Collector.GetSnapshot().Where(r => r.Id.Id == 8).Select(r => r.Message),
                refused ? Has.Some.Contains("not following a 302 redirect") : Is.Empty);
        });
    }

    /// <summary>Each input, sent through the asynchronous and the synchronous API, named by its index (the inputs are not printable).</summary>
    private static IEnumerable<TestCaseData> SyncAndAsync(string[] inputs) =>
        from i in Enumerable.Range(0, inputs.Length)
        from sync in new[] { false, true }
        select new TestCaseData(inputs[i], sync).SetName($"{{m}}({i},{(sync ? "Sync" : "Async")})");

    private static HttpResponseMessage BadRequest(HttpContent content, string nonce)
    {
        content.Headers.ContentType = new("application/json");
        return MockServer.WithNonce(new HttpResponseMessage(HttpStatusCode.BadRequest) { Content = content }, nonce);
    }
}

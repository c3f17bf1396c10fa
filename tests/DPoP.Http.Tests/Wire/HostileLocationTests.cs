using System.Globalization;
using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;

namespace DPoP.Http.Tests.Wire;

/// <summary>
/// A redirect whose <c>Location</c> holds bytes no framework server sends (raw UTF-8 of an internationalized host
/// that IDNA refuses: a leading combining mark, a joiner out of context, U+FFFD; and the issue's <c>\u05D0b</c>,
/// which fails IDNA's bidi rule where .NET runs with invariant globalization), over a real socket: the DPoP handler
/// returns the 3xx as it does for other Locations it cannot sign, and never throws <see cref="UriFormatException"/>
/// (which SocketsHttpHandler itself throws for them when it follows redirects).
/// Every Location names the test server's port, and the primary handler connects to 127.0.0.1 only, so a hop that
/// is followed after all shows as one more request at the test server.
/// </summary>
[Category("Integration")]
internal sealed class HostileLocationTests
{
    private static readonly string[] Locations = ["//\u0301a:{0}/", "//a\u200Db:{0}/path", "http://\uFFFD:{0}/", "//a\u00E9-:{0}/", "//\u05D0b:{0}/"];

    private static IEnumerable<TestCaseData> Cases() =>
        Locations.Select((location, i) => new TestCaseData(location).SetName($"{{m}}({i})"));

    [TestCaseSource(nameof(Cases))]
    public async Task SendAsync_RawUtf8LocationWithoutIdnaForm_ReturnsThe3xx(string location)
    {
        await using var server = new RawHttpServer();
        var target = string.Format(CultureInfo.InvariantCulture, location, server.BaseAddress.Port);
        var header = Encoding.UTF8.GetBytes($"Location: {target}\r\n");
        server.Answer = head => head.StartsWith("GET /dpop ", StringComparison.Ordinal)
            ? RawHttpServer.Response("HTTP/1.1 302 Found", header, "moved")
            : RawHttpServer.Response("HTTP/1.1 200 OK", [], "followed");
        var signable = IdnaHost.HasIdnaForm(new Uri(server.BaseAddress, target));

        using var key = DPoPKey.Generate();
        using var dpop = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = LoopbackOnly.CreatePrimaryHandler() });
        using var response = await dpop.GetAsync(new Uri(server.BaseAddress, "dpop"));

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(signable ? HttpStatusCode.OK : HttpStatusCode.Found));
            Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo(signable ? "followed" : "moved"));
            Assert.That(server.Heads, Has.Count.EqualTo(signable ? 2 : 1), "requests at the server");
        });
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using DPoP.Http.InteropTests.Support;

namespace DPoP.Http.InteropTests;

/// <summary>
/// The jose-based resource server (tests/interop/rs.mjs): it verifies the access token against oidc-provider
/// (JWKS for JWTs, introspection for opaque tokens) and every proof with jose, and demands its own nonce (401
/// WWW-Authenticate: DPoP error="use_dpop_nonce").
/// </summary>
public sealed class ResourceServerTests : InteropTest
{
    private const string OrderJson = """{"item":"book","quantity":2,"note":"ünïcødé ✓ \"quoted\""}""";

    [Test]
    public async Task GetThenPostJson_EachPassesAfterAtMostOneNonceChallenge()
    {
        using var clients = new InteropClients("rs-get-post");
        var key = await clients.GetKeyAsync(clients.ApiKeyName);
        var token = await GetJwtTokenAsync(clients);

        using var get = new HttpRequestMessage(HttpMethod.Get, "orders?page=2&sort=desc").SetDPoPAccessToken(token);
        var (getStatus, getBody, _) = await clients.SendToApiAsync(get);
        var getAttempts = clients.ApiExchanges.All;
        clients.ApiExchanges.Clear();

        using var post = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = JsonContent.Create(JsonDocument.Parse(OrderJson).RootElement) };
        post.SetDPoPAccessToken(token);
        var (postStatus, postBody, _) = await clients.SendToApiAsync(post);
        var postAttempts = clients.ApiExchanges.All;

        using var getEcho = JsonDocument.Parse(getBody);
        using var postEcho = JsonDocument.Parse(postBody);
        Assert.Multiple(() =>
        {
            Assert.That(getStatus, Is.EqualTo(HttpStatusCode.OK), getBody);
            Assert.That(getAttempts, Has.Count.EqualTo(2), "a fresh client meets the resource server's nonce challenge once");
            Assert.That(getAttempts[0].Error, Is.EqualTo("use_dpop_nonce"));
            Assert.That(getAttempts[0].Status, Is.EqualTo(401));
            Assert.That(getEcho.RootElement.GetProperty("method").GetString(), Is.EqualTo("GET"));
            Assert.That(getEcho.RootElement.GetProperty("path").GetString(), Is.EqualTo("/orders"));
            Assert.That(getEcho.RootElement.GetProperty("query").GetString(), Is.EqualTo("?page=2&sort=desc"));
            Assert.That(getEcho.RootElement.GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));

            Assert.That(postStatus, Is.EqualTo(HttpStatusCode.OK), postBody);
            Assert.That(postAttempts, Has.Count.EqualTo(1), "the stored nonce passes: no second challenge");
            Assert.That(postEcho.RootElement.GetProperty("method").GetString(), Is.EqualTo("POST"));
            Assert.That(postEcho.RootElement.GetProperty("body").GetString(), Is.EqualTo(JsonSerializer.Serialize(JsonDocument.Parse(OrderJson).RootElement)));
        });
    }

    [Test]
    public async Task PostJsonFirst_NonceChallenge_BodyResentIntact()
    {
        using var clients = new InteropClients("rs-post-first");
        var token = await GetJwtTokenAsync(clients);
        var body = new StringContent(OrderJson, Encoding.UTF8, "application/json");

        using var post = new HttpRequestMessage(HttpMethod.Post, "orders/42/lines") { Content = body };
        post.SetDPoPAccessToken(token);
        var (status, responseBody, _) = await clients.SendToApiAsync(post);
        var attempts = clients.ApiExchanges.All;

        using var echo = JsonDocument.Parse(responseBody);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), responseBody);
            Assert.That(attempts.Select(a => a.Status), Is.EqualTo(new[] { 401, 200 }), clients.ApiExchanges.ToString());
            Assert.That(attempts[0].Proof?.Jti, Is.Not.EqualTo(attempts[1].Proof?.Jti));
            Assert.That(echo.RootElement.GetProperty("path").GetString(), Is.EqualTo("/orders/42/lines"));
            Assert.That(echo.RootElement.GetProperty("body").GetString(), Is.EqualTo(OrderJson), "the retry resent the whole body");
        });
    }

    [Test]
    public async Task StreamedBodyOfKnownLength_NonceChallenge_BodyResentIntact()
    {
        using var clients = new InteropClients("rs-stream");
        var token = await GetJwtTokenAsync(clients);
        var payload = new string('x', 20_000) + "-end";
        using var stream = new MemoryStream(Encoding.ASCII.GetBytes(payload));
        var content = new StreamContent(stream);
        content.Headers.ContentLength = stream.Length;

        using var put = new HttpRequestMessage(HttpMethod.Put, "blobs/1") { Content = content };
        put.SetDPoPAccessToken(token);
        var (status, responseBody, _) = await clients.SendToApiAsync(put);

        using var echo = JsonDocument.Parse(responseBody);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), responseBody);
            Assert.That(clients.ApiExchanges.All.Select(a => a.Status), Is.EqualTo(new[] { 401, 200 }));
            Assert.That(echo.RootElement.GetProperty("method").GetString(), Is.EqualTo("PUT"));
            Assert.That(echo.RootElement.GetProperty("body").GetString(), Is.EqualTo(payload));
        });
    }

    [Test]
    public async Task OpaqueToken_CheckedByIntrospection_Returns200()
    {
        var server = InteropServers.AuthorizationServer;
        using var clients = new InteropClients("rs-opaque");
        var key = await clients.GetKeyAsync(clients.ApiKeyName);
        var token = (await clients.RequestTokenAsync(server.PostClient, server.OpaqueResource)).AccessToken;

        using var request = new HttpRequestMessage(HttpMethod.Delete, "orders/7").SetDPoPAccessToken(token);
        var (status, body, _) = await clients.SendToApiAsync(request);

        using var echo = JsonDocument.Parse(body);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(echo.RootElement.GetProperty("tokenFormat").GetString(), Is.EqualTo("opaque"));
            Assert.That(echo.RootElement.GetProperty("clientId").GetString(), Is.EqualTo(server.PostClient.Id));
            Assert.That(echo.RootElement.GetProperty("jkt").GetString(), Is.EqualTo(key.JwkThumbprint));
        });
    }

    [Test]
    public async Task NonceRotatedTwice_NextRequestRetriedOnce_Returns200()
    {
        using var clients = new InteropClients("rs-rotation");
        var token = await GetJwtTokenAsync(clients);
        using (var first = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(token))
        {
            await clients.SendToApiAsync(first);
        }

        await ServerCalls.RotateResourceServerNonceAsync();
        using (var afterOneRotation = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(token))
        {
            clients.ApiExchanges.Clear();
            var (status, _, _) = await clients.SendToApiAsync(afterOneRotation);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(clients.ApiExchanges.All, Has.Count.EqualTo(1), "the previous nonce is still accepted");
        }

        await ServerCalls.RotateResourceServerNonceAsync();
        await ServerCalls.RotateResourceServerNonceAsync();
        clients.ApiExchanges.Clear();
        using var afterTwoRotations = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPAccessToken(token);
        var (finalStatus, body, _) = await clients.SendToApiAsync(afterTwoRotations);

        Assert.Multiple(() =>
        {
            Assert.That(finalStatus, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(clients.ApiExchanges.All.Select(a => a.Error), Is.EqualTo(new string?[] { "use_dpop_nonce", null }));
        });
    }

    [TestCase("PATCH")]
    [TestCase("DELETE")]
    [TestCase("HEAD")]
    [TestCase("OPTIONS")]
    [TestCase("PROPFIND")]
    public async Task Method_AnyMethod_HtmAccepted(string method)
    {
        using var clients = new InteropClients("rs-methods");
        var token = await GetJwtTokenAsync(clients);

        using var request = new HttpRequestMessage(new HttpMethod(method), "orders/1").SetDPoPAccessToken(token);
        var (status, body, _) = await clients.SendToApiAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"{body}; attempts: {clients.ApiExchanges}");
            Assert.That(clients.ApiExchanges.All.Select(e => e.Proof?.Htm), Is.All.EqualTo(method));
        });
    }

    [Test]
    public async Task AuthorizationHeaderSetByCaller_TokenBoundFromHeader_Returns200()
    {
        using var clients = new InteropClients("rs-header");
        var token = await GetJwtTokenAsync(clients);

        using var request = new HttpRequestMessage(HttpMethod.Get, "orders");
        request.Headers.Authorization = new AuthenticationHeaderValue("DPoP", token);
        var (status, body, _) = await clients.SendToApiAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            Assert.That(clients.ApiExchanges.All.Select(e => e.Proof?.Ath), Is.All.EqualTo(DPoPProof.ComputeAth(token)));
        });
    }

    [Test]
    public async Task SynchronousSend_NonceChallenge_Returns200()
    {
        using var clients = new InteropClients("rs-sync");
        var token = await GetJwtTokenAsync(clients);

        using var request = new HttpRequestMessage(HttpMethod.Post, "orders") { Content = new StringContent(OrderJson, Encoding.UTF8, "application/json") };
        request.SetDPoPAccessToken(token);
        using var response = clients.Api.Send(request);
        using var echo = JsonDocument.Parse(response.Content.ReadAsStream());

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), clients.ApiExchanges.ToString());
            Assert.That(clients.ApiExchanges.All.Select(e => e.Status), Is.EqualTo(new[] { 401, 200 }));
            Assert.That(echo.RootElement.GetProperty("body").GetString(), Is.EqualTo(OrderJson));
        });
    }

    [Test]
    public async Task ConcurrentRequestsAcrossANonceRotation_AllPass_NoReplayRejected()
    {
        using var clients = new InteropClients("rs-concurrent");
        var token = await GetJwtTokenAsync(clients);
        var api = clients.Api;

        var results = await Task.WhenAll(Enumerable.Range(0, 60).Select(async i =>
        {
            if (i == 30)
            {
                // Once: the previous nonce stays good, so requests in flight keep passing.
                await ServerCalls.RotateResourceServerNonceAsync();
            }

            using var request = new HttpRequestMessage(i % 2 == 0 ? HttpMethod.Get : HttpMethod.Post, $"orders/{i}") { Content = i % 2 == 0 ? null : new StringContent($"body-{i}") };
            request.SetDPoPAccessToken(token);
            using var response = await api.SendAsync(request);
            using var echo = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return (response.StatusCode, Body: echo.RootElement.TryGetProperty("body", out var body) ? body.GetString() : null, i);
        }));

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.StatusCode), Is.All.EqualTo(HttpStatusCode.OK), clients.ApiExchanges.ToString());
            Assert.That(results.Where(r => r.i % 2 == 1).Select(r => r.Body), Is.EqualTo(results.Where(r => r.i % 2 == 1).Select(r => $"body-{r.i}")));
            Assert.That(clients.ApiExchanges.All.Where(e => e.Error is not null and not "use_dpop_nonce"), Is.Empty, "no proof rejected, no replay");
        });
    }

    // RFC 9449 §4.3: the server compares htu with its own URL after RFC 3986 normalization; the resource server
    // does that with the WHATWG URL parser, so these paths check that the library's htu is the URI as sent.
    [TestCase("orders/café")]
    [TestCase("orders/caf%C3%A9")]
    [TestCase("orders/with%20space")]
    [TestCase("orders/a%2Fb")]
    [TestCase("orders/x/../y/./z")]
    [TestCase("orders/~user/%7Euser")]
    [TestCase("orders/semi;colon/plus+sign/at@/eq=/sq'/bang!/star*/paren()/dollar$/amp&")]
    [TestCase("orders/trailing/")]
    [TestCase("orders/%E2%9C%93?q=%E2%9C%93#fragment")]
    public async Task Get_PathOfAnyShape_HtuMatchesResourceServerUrl(string path)
    {
        using var clients = new InteropClients("rs-paths");
        var token = await GetJwtTokenAsync(clients);

        using var request = new HttpRequestMessage(HttpMethod.Get, path).SetDPoPAccessToken(token);
        var (status, body, _) = await clients.SendToApiAsync(request);

        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), $"{body}; attempts: {clients.ApiExchanges}");
    }

    private static async Task<string> GetJwtTokenAsync(InteropClients clients)
    {
        var server = InteropServers.AuthorizationServer;
        return (await clients.RequestTokenAsync(server.BasicClient, server.JwtResource)).AccessToken;
    }
}

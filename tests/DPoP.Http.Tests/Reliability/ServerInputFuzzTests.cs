using System.Net;
using System.Text;
using CsCheck;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Time.Testing;
using static DPoP.Http.Tests.Reliability.ServerInputMutations;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// A fuzz pass over everything a server controls, through the public API (issue 22, item 8): 400 challenge bodies,
/// <c>WWW-Authenticate</c> and <c>DPoP-Nonce</c> headers, redirect Locations (strings in memory, raw bytes over a
/// real socket) and token and revocation answers through <see cref="DPoPTokenClient"/>. The invariants: only the
/// documented outcomes (the server's response, <see cref="DPoPTokenException"/>, the transport's
/// <see cref="HttpRequestException"/>), every proof verifies independently with the client's own key, no token,
/// nonce or key material in a message or log, and every input done within <see cref="SeededFuzz.HangBound"/>.
/// Inputs derive from fixed seeds; each test stops at its input count or its time budget (the file ~15 s).
/// </summary>
[Category("Slow")]
public sealed class ServerInputFuzzTests
{
    private const string Seed = "7Kq2Zr9xWd1B";
    private const string Secret = "SECRET";
    private static readonly TimeSpan Budget = TimeSpan.FromSeconds(3);
    private static readonly DPoPKey Key = DPoPKey.Generate();
    private static readonly string PrivateD = System.Text.Json.JsonDocument.Parse(Key.ExportPrivateJwk()).RootElement.GetProperty("d").GetString()!;
    private static readonly Uri Start = new("https://api.example.com/start?q=1#frag");

    [Test]
    public void SendAsync_FuzzedChallengeBodies_ReturnTheResponseWholeOrRetryOnceWithTheNonce()
    {
        var bodies = Bytes(
            "{\"error\":\"use_dpop_nonce\",\"error_description\":\"Authorization server requires nonce in DPoP proof\"}",
            "{\"error_description\":\"x\",\"error\":\"use_dpop_nonce\",\"error_uri\":\"https://as.example/e\"}",
            "{\"error\":\"invalid_dpop_proof\"}");
        var inputs = Gen.Select(bodies, Gen.Bool, Gen.Bool);
        SeededFuzz.Run(inputs, Seed, 3_000, Budget, input =>
        {
            var (body, chunked, sync) = input;
            var (client, server, logs) = Client(n => n > 1 ? Answer(HttpStatusCode.OK, "retried") : Answer(HttpStatusCode.BadRequest, body, chunked, ("DPoP-Nonce", "NONCE-" + Secret)));
            using var disposeAfterwards = client;
            using var request = new HttpRequestMessage(HttpMethod.Post, Start) { Content = new StringContent("grant_type=x") };
            using var response = Send(client, request, sync);

            var sent = server.Sent.ToArray();
            Assert.That(sent, Has.Length.InRange(1, 2), "at most one retry");
            Assert.That(response.StatusCode, Is.EqualTo(sent.Length == 1 ? HttpStatusCode.BadRequest : HttpStatusCode.OK));
            Assert.That(ReadBody(response, sync), Is.EqualTo(sent.Length == 1 ? body : "retried"u8.ToArray()), "the caller reads the whole body");
            AssertProofs(sent, expectRetryNonce: "NONCE-" + Secret);
            AssertNoSecretIn(logs);
        }, i => $"{SeededFuzz.Escape(i.Item1)} chunked={i.Item2} sync={i.Item3}");
    }

    [Test]
    public void SendAsync_FuzzedWwwAuthenticateAndNonce_RetryOnlyWithAValidNewNonce()
    {
        var challenges = Text(
            "abcdDPoPBearer=\", \\",
            "DPoP error=\"use_dpop_nonce\", error_description=\"Resource server requires nonce in DPoP proof\"",
            "Bearer realm=\"api\", DPoP algs=\"ES256 PS256\", error=\"use_dpop_nonce\"",
            "dpop error=use_dpop_nonce",
            "DPoP error=\"invalid_token\"");
        var nonces = Text("!#$%&'()*+-./0123456789:;<=>?@AZ[]^_`az{|}~\"\\ ", "NONCE-" + Secret + "-2", "NONCE-" + Secret + "!#[]~");
        var inputs = Gen.Select(challenges.Array[1, 2], nonces, Gen.Bool);
        SeededFuzz.Run(inputs, Seed, 3_000, Budget, input =>
        {
            var (values, nonce, sync) = input;
            var headers = values.Select(v => ("WWW-Authenticate", v)).Append(("DPoP-Nonce", nonce)).ToArray();
            var (client, server, logs) = Client(n => n > 1 ? Answer(HttpStatusCode.OK, "retried") : Answer(HttpStatusCode.Unauthorized, "challenge body"u8.ToArray(), false, headers));
            using var disposeAfterwards = client;
            using var request = new HttpRequestMessage(HttpMethod.Get, Start);
            using var response = Send(client, request, sync);

            var sent = server.Sent.ToArray();
            Assert.That(sent, Has.Length.InRange(1, 2), "at most one retry");
            Assert.That(ReadBody(response, sync), Is.EqualTo(sent.Length == 1 ? "challenge body"u8.ToArray() : "retried"u8.ToArray()));
            Assert.That(sent.Length == 1 || PropertyTests.IsValidNonce(nonce), Is.True, "a retry only with a valid nonce");
            AssertProofs(sent, expectRetryNonce: nonce);
            AssertNoSecretIn(logs);
        }, i => $"{string.Join(" | ", i.Item1.Select(SeededFuzz.Escape))} nonce={SeededFuzz.Escape(i.Item2)} sync={i.Item3}");
    }

    [Test]
    public void SendAsync_FuzzedLocations_FollowOnlySignableTargetsWithTheirOwnProof()
    {
        var locations = Text(
            "abc/:?#@%.[]\u00FC\u05D0",
            "https://api.example.com/next?q=1#f", "/relative/path?x", "//other.example/x", "../up", "https://b\u00FCcher.example/",
            "https://xn--bcher-kva.example/", "http://api.example.com/", "https://[::1]:8443/v6", "https://user:pw@api.example.com/",
            "//\u05D0b", "https://api.example.com:99999/", "https://API.example.COM:443/same");
        var statuses = Gen.OneOfConst(300, 301, 302, 303, 307, 308);
        var inputs = Gen.Select(locations, statuses, Gen.Bool, Gen.Bool);
        SeededFuzz.Run(inputs, Seed, 3_000, Budget, input =>
        {
            var (location, status, post, sync) = input;
            var (client, server, logs) = Client(n => n > 1 ? Answer(HttpStatusCode.OK, "followed") : Answer((HttpStatusCode)status, "redirect body"u8.ToArray(), false, ("Location", location)));
            using var disposeAfterwards = client;
            using var request = new HttpRequestMessage(post ? HttpMethod.Post : HttpMethod.Get, Start) { Content = post ? new StringContent("x") : null };
            request.SetDPoPAccessToken("AT-" + Secret);
            using var response = Send(client, request, sync);

            var sent = server.Sent.ToArray();
            Assert.That(sent, Has.Length.InRange(1, 2), "one hop at most (the next answer is 200)");
            Assert.That(ReadBody(response, sync), Is.EqualTo(sent.Length == 1 ? "redirect body"u8.ToArray() : "followed"u8.ToArray()));
            if (sent.Length == 2)
            {
                var hop = sent[1].Uri;
                Assert.That(hop.IsAbsoluteUri && hop.Scheme is "https" && hop.UserInfo.Length == 0, Is.True, "only an https target without user information: " + hop);
                Assert.That(sent[1].Authorization is null || DPoPRedirect.IsSameOrigin(hop, Start), Is.True, "no token leaves its origin");
            }

            AssertProofs(sent, expectRetryNonce: null);
            AssertNoSecretIn(logs);
        }, i => $"{SeededFuzz.Escape(i.Item1)} status={i.Item2} post={i.Item3} sync={i.Item4}");
    }

    [Test]
    [Category("Integration")]
    public async Task SendAsync_FuzzedRawLocationBytesOverASocket_ReturnTheRedirectOrFollowIt()
    {
        await using var server = new RawHttpServer();
        var bytes = Bytes("/next", "//\u05D0b/x", "https://b\u00FCcher.example/p", "http://127.0.0.1/p?q", "//a\u200Db/", "/caf\u00E9/\u00FC");
        SeededFuzz.Run(bytes, Seed, 150, Budget, location =>
        {
            var head = location.Where(b => b is not ((byte)'\r' or (byte)'\n')).ToArray();
            server.Answer = request => request.StartsWith("GET /start ", StringComparison.Ordinal)
                ? RawHttpServer.Response("HTTP/1.1 302 Found", [.. "Location: "u8, .. head, .. "\r\n"u8], "moved")
                : RawHttpServer.Response("HTTP/1.1 200 OK", [], "followed");
            var before = server.Heads.Count;
            using var http = new HttpClient(new DPoPDelegatingHandler(Key, new DPoPHandlerOptions { MaxRedirects = 1 }) { InnerHandler = ToServer(server.BaseAddress.Port) });
            HttpResponseMessage? response = null;
            try
            {
                response = SeededFuzz.Within(http.GetAsync(new Uri(server.BaseAddress, "start")));
            }
            catch (HttpRequestException)
            {
                return; // the transport refused the answer (a header it cannot parse): documented, passed through
            }

            using (response)
            {
                var heads = server.Heads.Skip(before).ToArray();
                Assert.That(heads, Has.Length.InRange(1, 2), "one hop at most");
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Found).Or.EqualTo(HttpStatusCode.OK));
                foreach (var seen in heads)
                {
                    AssertSignedAsSent(seen);
                }
            }
        }, SeededFuzz.Escape);
    }

    [Test]
    public void DPoPTokenClient_FuzzedAnswers_OnlyTokensOrDPoPTokenExceptionsWithoutSecrets()
    {
        var success = Bytes(
            "{\"access_token\":\"AT-" + Secret + "-5\",\"token_type\":\"DPoP\",\"expires_in\":300,\"refresh_token\":\"RT-" + Secret + "\",\"scope\":\"api\"}",
            "{\"access_token\":\"AT-" + Secret + "-6\",\"token_type\":\"DPoP\",\"expires_in\":\"3600\",\"id_token\":\"a.b.c\"}");
        var error = Bytes("{\"error\":\"invalid_grant\",\"error_description\":\"the grant is gone\"}", "{\"error\":\"use_dpop_nonce\"}", "{\"error\":\"invalid_client\",\"error_uri\":\"https://as.example/e\"}");
        var answers = Gen.OneOf(
            success.Select(b => (Status: 200, Body: b)),
            Gen.Select(Gen.OneOfConst(400, 401, 500, 503), error, (s, b) => (Status: s, Body: b)));
        var now = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
        using var logs = new FakeLoggerProvider();
        using var loggerFactory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddProvider(logs));
        SeededFuzz.Run(Gen.Select(answers, Gen.Int[0, 3]), Seed, 3_000, Budget, input =>
        {
            var ((status, body), call) = input;
            var server = new ScriptedHandler(_ => Answer((HttpStatusCode)status, body, false, ("DPoP-Nonce", "NONCE-" + Secret)));
            logs.Collector.Clear();
            using var http = new HttpClient(new DPoPDelegatingHandler(Key) { InnerHandler = server });
            var options = new DPoPTokenClientOptions
            {
                TokenEndpoint = new Uri("https://as.example/token"),
                RevocationEndpoint = new Uri("https://as.example/revoke"),
                ClientId = "client-1",
                ClientSecret = "CS-" + Secret,
            };
            var client = new DPoPTokenClient(http, options, new FakeTimeProvider(now)) { LoggerFactory = loggerFactory };
            try
            {
                var token = SeededFuzz.Within(CallAsync(client, call));
                Assert.That(status, Is.EqualTo(200), "only a success answer gives a token");
                Assert.That(token is null || (token.AccessToken.All(c => c is > ' ' and < '\u007f') && token.ExpiresAt > now), Is.True, "a usable token");
            }
            catch (DPoPTokenException ex)
            {
                Assert.That(ex.StatusCode, Is.EqualTo((HttpStatusCode)status));
                Assert.That(ex.ToString(), Does.Not.Contain(Secret).And.Not.Contain(PrivateD), "no token, nonce, secret or key in the exception");
            }

            AssertProofs([.. server.Sent], expectRetryNonce: null);
            Assert.That(logs.Collector.GetSnapshot().Select(r => r.Message + r.Exception), Has.None.Contain(Secret).And.None.Contain(PrivateD));
        }, i => $"{i.Item1.Status} {SeededFuzz.Escape(i.Item1.Body)} call={i.Item2}");
    }

    /// <summary>Each call that reads a token or revocation answer; a revocation gives no token.</summary>
    private static async Task<DPoPTokenResponse?> CallAsync(DPoPTokenClient client, int call)
    {
        switch (call)
        {
            case 0:
                return await client.RequestClientCredentialsTokenAsync();
            case 1:
                return await client.RefreshTokenAsync("RT-" + Secret);
            case 2:
                return await client.ExchangeTokenAsync(new DPoPTokenExchangeRequest { SubjectToken = "ST-" + Secret });
            default:
                await client.RevokeTokenAsync("RT-" + Secret);
                return null;
        }
    }

    private static (HttpClient Client, ScriptedHandler Server, FakeLogger Logs) Client(Func<int, HttpResponseMessage> answer)
    {
        var server = new ScriptedHandler(answer);
        var logs = new FakeLogger();
        var options = new DPoPHandlerOptions();
        var context = new DPoPHandlerContext(
            "fuzz", options, _ => ValueTask.FromResult(Key), new DPoPNonceStore(), null, new DPoPAthCache(), TimeProvider.System, logs, DPoPMetrics.Create(meterFactory: null));
        var handler = new DPoPDelegatingHandler(context) { InnerHandler = server };
        handler.MarkPrimaryHandlerChecked(); // an in-memory server: no redirects of its own to turn off
        return (new HttpClient(handler), server, logs);
    }

    private static HttpResponseMessage Answer(HttpStatusCode status, string body) => Answer(status, Encoding.UTF8.GetBytes(body), false);

    private static HttpResponseMessage Answer(HttpStatusCode status, byte[] body, bool chunked, params (string Name, string Value)[] headers)
    {
        var response = new HttpResponseMessage(status) { Content = chunked ? new StreamContent(new ForwardOnlyStream(body)) : new ByteArrayContent(body) };
        response.Content.Headers.TryAddWithoutValidation("Content-Type", "application/json");
        foreach (var (name, value) in headers)
        {
            response.Headers.TryAddWithoutValidation(name, value); // a value .NET refuses to hold is one no transport would deliver
        }

        return response;
    }

    private static HttpResponseMessage Send(HttpClient client, HttpRequestMessage request, bool sync) => sync
        ? client.Send(request, HttpCompletionOption.ResponseHeadersRead)
        : SeededFuzz.Within(client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead));

    private static byte[] ReadBody(HttpResponseMessage response, bool sync)
    {
        if (!sync)
        {
            return SeededFuzz.Within(response.Content.ReadAsByteArrayAsync());
        }

        using var copy = new MemoryStream();
        response.Content.ReadAsStream().CopyTo(copy);
        return copy.ToArray();
    }

    /// <summary>Every proof verifies with the JWK it carries, that JWK is the client's key, and a retry carries the server's nonce.</summary>
    private static void AssertProofs(SentRequest[] sent, string? expectRetryNonce)
    {
        foreach (var (request, i) in sent.Select((r, i) => (r, i)))
        {
            var proof = IndependentProofVerifier.Verify(request.Proof!);
            Assert.That(DPoPKey.ComputeJwkThumbprint(proof.JwkJson), Is.EqualTo(Key.JwkThumbprint), "signed with the client's key");
            Assert.That(proof.Claim("htu"), Is.EqualTo(PropertyTests.ExpectedHtu(request.Uri)), "htu names the URI the request went to");
            if (i == 1 && expectRetryNonce is not null)
            {
                Assert.That(proof.Claim("nonce"), Is.EqualTo(expectRetryNonce), "the retry carries the server's new nonce");
            }
        }
    }

    /// <summary>The proof in a request head as the server received it verifies, and its htu names the path on the request line.</summary>
    private static void AssertSignedAsSent(string head)
    {
        var lines = head.Split("\r\n");
        var target = lines[0].Split(' ')[1];
        var proof = IndependentProofVerifier.Verify(lines.Single(l => l.StartsWith("DPoP: ", StringComparison.OrdinalIgnoreCase))[6..]);
        Assert.That(new Uri(proof.Claim("htu")).AbsolutePath, Is.EqualTo(target.Split('?')[0]), "htu names the path sent: " + lines[0]);
    }

    private static void AssertNoSecretIn(FakeLogger logs) =>
        Assert.That(logs.Collector.GetSnapshot().Select(r => r.Message + r.Exception), Has.None.Contain(Secret).And.None.Contain(PrivateD));

    /// <summary>A primary handler whose every plain-text connection goes to the test server's port on 127.0.0.1, whatever host a Location names.</summary>
    private static SocketsHttpHandler ToServer(int port) => new()
    {
        UseProxy = false,
        AllowAutoRedirect = false,
        ConnectCallback = async (context, cancellationToken) =>
        {
            if (context.InitialRequestMessage.RequestUri?.Scheme == Uri.UriSchemeHttps)
            {
                throw new HttpRequestException("The test server speaks no TLS."); // a hop to https: followed, and not served here
            }

            var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cancellationToken);
                return new System.Net.Sockets.NetworkStream(socket, ownsSocket: true);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
        },
    };
}

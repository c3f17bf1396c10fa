using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// The reduced inputs from fuzzing the token endpoint's and the revocation endpoint's answers (issue 22, item 8),
/// through a <see cref="DPoPTokenClient"/> over a DPoP handler, for every grant: a malformed answer fails as
/// <see cref="DPoPTokenException"/>, a body that cannot be read as <see cref="HttpRequestException"/> with the IO
/// failure inside, and nothing else escapes.
/// </summary>
public sealed class TokenEndpointServerInputTests
{
    private const string AccessToken = "at-5e1f0c27d9";

    /// <summary>Every call that reads a token endpoint answer, by name.</summary>
    private static readonly Dictionary<string, Func<DPoPTokenClient, Task>> Calls = new()
    {
        ["ClientCredentials"] = c => c.RequestClientCredentialsTokenAsync(),
        ["Refresh"] = c => c.RefreshTokenAsync("rt-1"),
        ["AuthorizationCode"] = c => c.ExchangeAuthorizationCodeAsync("code-1", new Uri("https://app.example/cb"), "verifier"),
        ["TokenExchange"] = c => c.ExchangeTokenAsync(new DPoPTokenExchangeRequest { SubjectToken = "subject-1" }),
        ["Revocation"] = c => c.RevokeTokenAsync("rt-1"),
    };

    private static IEnumerable<TestCaseData> TokenCalls(params string[] bodies) =>
        from call in Calls.Keys.Where(k => k != "Revocation")
        from i in Enumerable.Range(0, bodies.Length)
        select new TestCaseData(call, bodies[i]).SetName($"{{m}}({call},{i})");

    /// <summary>A lone surrogate escape in the name of a member the answer needs: that member is missing.</summary>
    private static IEnumerable<TestCaseData> SuccessWithoutReadableTokenMember() => TokenCalls(
        "{\"access_\\ud800\":1}",
        "{\"access_\\udc00\":\"" + AccessToken + "\",\"token_type\":\"DPoP\"}",
        "{\"access_token\":\"" + AccessToken + "\",\"token_\\ud800\":\"DPoP\"}");

    [TestCaseSource(nameof(SuccessWithoutReadableTokenMember))]
    public void TokenRequest_SuccessAnswerWithLoneSurrogateInARequiredMemberName_ThrowsDPoPTokenExceptionNamingTheMember(string call, string body)
    {
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => SendAsync(call, HttpStatusCode.OK, Json(body)));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo("invalid_token_response"));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(ex.Message, Does.Contain(body.Contains("token_\\ud800", StringComparison.Ordinal) ? "token_type is missing" : "access_token is missing"));
            Assert.That(ex.ToString(), Does.Not.Contain(AccessToken), "no token in the exception");
        });
    }

    /// <summary>RFC 6749 §5.1: the client ignores names it does not know, and a name that is no Unicode text is none it knows.</summary>
    private static IEnumerable<TestCaseData> SuccessWithUnreadableExtraMemberName() => TokenCalls(
        "{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"x\\udc00\":1}",
        "{\"\\udc00\":1,\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\"}",
        "{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"expires_in\":300,\"\\ud800\\ud800\":{}}");

    [TestCaseSource(nameof(SuccessWithUnreadableExtraMemberName))]
    public void TokenRequest_SuccessAnswerWithLoneSurrogateInAnUnknownMemberName_IgnoresTheMember(string call, string body)
    {
        Assert.DoesNotThrowAsync(() => SendAsync(call, HttpStatusCode.OK, Json(body)));
    }

    private static IEnumerable<TestCaseData> ErrorWithLoneSurrogateName() =>
        from call in Calls.Keys
        from body in new[] { "{\"\\udc00\":1}", "{\"error\":\"invalid_grant\",\"error_\\ud800\":\"x\"}" }
        select new TestCaseData(call, body).SetName($"{{m}}({call},{(body.Length < 15 ? "OnlyTheName" : "AfterError")})");

    [TestCaseSource(nameof(ErrorWithLoneSurrogateName))]
    public void TokenRequest_400AnswerWithLoneSurrogateMemberName_ThrowsDPoPTokenExceptionWithTheStatus(string call, string body)
    {
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => SendAsync(call, HttpStatusCode.BadRequest, Json(body)));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(ex.Error, Is.EqualTo(body.Contains("invalid_grant", StringComparison.Ordinal) ? "invalid_grant" : null), "the members that can be read");
        });
    }

    private static IEnumerable<TestCaseData> BodyReadFails() =>
        from call in Calls.Keys
        from status in new[] { HttpStatusCode.OK, HttpStatusCode.BadRequest, HttpStatusCode.Unauthorized }
        where call != "Revocation" || status != HttpStatusCode.OK // RevokeTokenAsync_200WithABodyItCannotRead_Succeeds
        select new TestCaseData(call, status).SetName($"{{m}}({call},{(int)status})");

    [TestCaseSource(nameof(BodyReadFails))]
    public void TokenRequest_BodyReadFailsMidway_ThrowsHttpRequestExceptionWithTheIOFailureInside(string call, HttpStatusCode status)
    {
        var body = Encoding.ASCII.GetBytes("{\"error\":\"use_dpop_nonce\",\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\"}");
        var content = new StreamContent(new CountingStream(body, chunk: 8, failAfter: 16));
        content.Headers.ContentType = new("application/json");

        var thrown = Assert.CatchAsync(() => SendAsync(call, status, content));

        Assert.Multiple(() =>
        {
            Assert.That(thrown, Is.TypeOf<HttpRequestException>(), thrown?.ToString());
            Assert.That(thrown?.InnerException, Is.InstanceOf<IOException>().With.Message.Contains("reset by the test"));
        });
    }

    /// <summary>RFC 7009 §2.2: a 200 says the token is revoked; the client ignores the body, however large or broken.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public void RevokeTokenAsync_200WithABodyItCannotRead_Succeeds(bool breaksMidway)
    {
        var body = new byte[breaksMidway ? 64 : DPoPTokenResponseReader.MaxBodyBytes + 1];
        var content = new StreamContent(breaksMidway ? new CountingStream(body, chunk: 8, failAfter: 16) : new MemoryStream(body));

        Assert.DoesNotThrowAsync(() => SendAsync("Revocation", HttpStatusCode.OK, content));
    }

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static async Task SendAsync(string call, HttpStatusCode status, HttpContent content)
    {
        using var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(_ => MockServer.WithNonce(new HttpResponseMessage(status) { Content = content }, "n-1"));
        using var key = DPoPKey.Generate();
        using var http = new HttpClient(new DPoPDelegatingHandler(key) { InnerHandler = mock });
        var client = new DPoPTokenClient(
            http,
            new DPoPTokenClientOptions
            {
                TokenEndpoint = new Uri("https://as.example/token"),
                RevocationEndpoint = new Uri("https://as.example/revoke"),
                ClientId = "client-1",
                ClientSecret = "client-secret-value",
            },
            new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        await Calls[call](client);
    }
}

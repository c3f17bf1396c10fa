using System.Net;
using System.Text;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.Time.Testing;
using RichardSzalay.MockHttp;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// Every token endpoint answer, however malformed, ends as a <see cref="DPoPTokenResponse"/> or a
/// <see cref="DPoPTokenException"/>: never an OverflowException, FormatException, InvalidOperationException or
/// JsonException from the arithmetic or the parser (issue 11, defect 3).
/// </summary>
public sealed class TokenResponseParsingTests
{
    private const string AccessToken = "at-7d1e0c9b44";
    private static readonly DateTimeOffset Now = new(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromDays(365);
    private static readonly TimeSpan DefaultLifetime = TimeSpan.FromMinutes(5);

    private static async Task<DPoPTokenResponse> RequestAsync(HttpStatusCode status, HttpContent content, DateTimeOffset? now = null)
    {
        using var mock = new MockHttpMessageHandler();
        mock.When("*").Respond(_ => new HttpResponseMessage(status) { Content = content });
        using var http = new HttpClient(mock);
        var client = new DPoPTokenClient(
            http,
            new DPoPTokenClientOptions { TokenEndpoint = new Uri("https://as.example/token"), ClientId = "client-1", ClientSecret = "client-secret-value" },
            new FakeTimeProvider(now ?? Now));
        return await client.RequestClientCredentialsTokenAsync();
    }

    private static Task<DPoPTokenResponse> RequestAsync(string body, HttpStatusCode status = HttpStatusCode.OK, DateTimeOffset? now = null) =>
        RequestAsync(status, new StringContent(body, Encoding.UTF8, "application/json"), now);

    private static string WithExpiresIn(string expiresIn) =>
        $"{{\"access_token\":\"{AccessToken}\",\"token_type\":\"DPoP\",\"expires_in\":{expiresIn}}}";

    [TestCase("1e20")]
    [TestCase("3e11")]
    [TestCase("1e400")]
    [TestCase("99999999999999999999999999999")]
    [TestCase("9223372036854775807")]
    [TestCase("1.7976931348623157e308")]
    [TestCase("31536001")]
    [TestCase("\"Infinity\"")]
    [TestCase("\"1e20\"")]
    [TestCase("\"1e400\"")]
    public async Task RequestClientCredentialsTokenAsync_ExpiresInBeyondOneYear_IsClampedToOneYear(string expiresIn)
    {
        var response = await RequestAsync(WithExpiresIn(expiresIn));

        Assert.Multiple(() =>
        {
            Assert.That(response.ExpiresIn, Is.EqualTo(MaxLifetime));
            Assert.That(response.ExpiresAt, Is.EqualTo(Now + MaxLifetime));
        });
    }

    [TestCase("300", 300)]
    [TestCase("\"60\"", 60)]
    [TestCase("31536000", 31536000)]
    [TestCase("1.5", 1.5)]
    [TestCase("4.5e2", 450)]
    public async Task RequestClientCredentialsTokenAsync_ExpiresInWithinOneYear_IsTakenAsSent(string expiresIn, double seconds)
    {
        var response = await RequestAsync(WithExpiresIn(expiresIn));

        Assert.Multiple(() =>
        {
            Assert.That(response.ExpiresIn, Is.EqualTo(TimeSpan.FromSeconds(seconds)));
            Assert.That(response.ExpiresAt, Is.EqualTo(Now + TimeSpan.FromSeconds(seconds)));
        });
    }

    [TestCase("0")]
    [TestCase("-0")]
    [TestCase("-5")]
    [TestCase("-1e400")]
    [TestCase("1e-9")]
    [TestCase("1e-400")]
    [TestCase("-9223372036854775808")]
    [TestCase("null")]
    [TestCase("\"NaN\"")]
    [TestCase("\"-Infinity\"")]
    [TestCase("\"-5\"")]
    [TestCase("\"0\"")]
    public async Task RequestClientCredentialsTokenAsync_ExpiresInNotPositive_UsesDefaultTokenLifetime(string expiresIn)
    {
        var response = await RequestAsync(WithExpiresIn(expiresIn));

        Assert.Multiple(() =>
        {
            Assert.That(response.ExpiresIn, Is.Null);
            Assert.That(response.ExpiresAt, Is.EqualTo(Now + DefaultLifetime));
        });
    }

    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"expires_in\":true}", "expires_in")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"expires_in\":{}}", "expires_in")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"expires_in\":[300]}", "expires_in")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"expires_in\":\"soon\"}", "expires_in")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"expires_in\":\"\"}", "expires_in")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"refresh_token\":42}", "refresh_token")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"scope\":[\"a\",\"b\"]}", "scope")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"DPoP\",\"scope\":\"\\ud800\"}", "scope")]
    [TestCase("{\"access_token\":42,\"token_type\":\"DPoP\"}", "access_token")]
    [TestCase("{\"access_token\":\"\\ud800\",\"token_type\":\"DPoP\"}", "access_token")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":{\"v\":\"DPoP\"}}", "token_type")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\",\"token_type\":\"\\udc00\"}", "token_type")]
    [TestCase("{\"access_token\":\"" + AccessToken + "\"}", "token_type")]
    public void RequestClientCredentialsTokenAsync_FieldOfWrongType_ThrowsDPoPTokenExceptionNamingTheField(string body, string field)
    {
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => RequestAsync(body));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo("invalid_token_response"));
            Assert.That(ex.Message, Does.Contain(field));
            Assert.That(ex.ToString(), Does.Not.Contain(AccessToken));
            Assert.That(ex.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    [TestCase("[]")]
    [TestCase("[{\"access_token\":\"t\",\"token_type\":\"DPoP\"}]")]
    [TestCase("\"access_token\"")]
    [TestCase("42")]
    [TestCase("null")]
    [TestCase("true")]
    [TestCase("")]
    [TestCase("{")]
    [TestCase("{\"access_token\":\"t\",\"token_type\":\"DPoP\"}trailing")]
    public void RequestClientCredentialsTokenAsync_BodyNotAJsonObject_ThrowsDPoPTokenException(string body)
    {
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => RequestAsync(body));

        Assert.That(ex!.Error, Is.EqualTo("invalid_token_response"));
    }

    [TestCase("{\"error\":5,\"error_description\":{},\"error_uri\":[]}", null)]
    [TestCase("{\"error\":\"\\ud800\",\"error_description\":\"\\udc00\"}", null)]
    [TestCase("{\"error\":\"invalid_client\",\"error_description\":\"\\ud800\"}", "invalid_client")]
    [TestCase("[\"invalid_client\"]", null)]
    [TestCase("\"invalid_client\"", null)]
    [TestCase("not json", null)]
    [TestCase("", null)]
    public void RequestClientCredentialsTokenAsync_ErrorBodyMalformed_ThrowsDPoPTokenExceptionWithTheStatus(string body, string? error)
    {
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => RequestAsync(body, HttpStatusCode.BadRequest));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest));
            Assert.That(ex.Error, Is.EqualTo(error));
        });
    }

    [Test]
    public void RequestClientCredentialsTokenAsync_TokenTypeWithControlCharacters_MessageShowsNone()
    {
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => RequestAsync($"{{\"access_token\":\"{AccessToken}\",\"token_type\":\"mac\\r\\nX-Injected: 1\"}}"));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo("unexpected_token_type"));
            Assert.That(ex.Message, Does.Not.Contain("\r").And.Not.Contain("\n"));
        });
    }

    [TestCase(HttpStatusCode.OK)]
    [TestCase(HttpStatusCode.BadRequest)]
    public void RequestClientCredentialsTokenAsync_BodyLargerThanOneMiB_ThrowsDPoPTokenExceptionAfterReadingAtMostTheBound(HttpStatusCode status)
    {
        var padding = new string('x', 2 << 20);
        var stream = new CountingStream(Encoding.ASCII.GetBytes($"{{\"access_token\":\"{AccessToken}\",\"token_type\":\"DPoP\",\"pad\":\"{padding}\"}}"), 16 * 1024);
        var content = new StreamContent(stream);
        content.Headers.ContentType = new("application/json");

        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => RequestAsync(status, content));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(status));
            Assert.That(ex.Message, Does.Contain("1 MiB"));
            Assert.That(stream.BytesRead, Is.LessThanOrEqualTo((1 << 20) + (64 * 1024)));
        });
    }

    [Test]
    public void RequestClientCredentialsTokenAsync_DeclaredLengthOverOneMiB_ThrowsDPoPTokenExceptionWithoutReading()
    {
        var stream = new CountingStream(new byte[2 << 20]);
        var content = new StreamContent(stream);
        content.Headers.ContentLength = 2 << 20;

        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => RequestAsync(HttpStatusCode.OK, content));

        Assert.Multiple(() =>
        {
            Assert.That(ex!.Error, Is.EqualTo("invalid_token_response"));
            Assert.That(stream.BytesRead, Is.Zero);
        });
    }

    [Test]
    public void RequestClientCredentialsTokenAsync_ConnectionDropsMidBody_ThrowsHttpRequestException()
    {
        var stream = new CountingStream(Encoding.ASCII.GetBytes(WithExpiresIn("300")), 8, failAfter: 16);
        var content = new StreamContent(stream);

        Assert.ThrowsAsync<HttpRequestException>(() => RequestAsync(HttpStatusCode.OK, content));
    }

    [TestCase("300")]
    [TestCase("1e20")]
    [TestCase("null")]
    public async Task RequestClientCredentialsTokenAsync_ClockNearDateTimeOffsetMaxValue_ExpiresAtSaturates(string expiresIn)
    {
        var now = DateTimeOffset.MaxValue - TimeSpan.FromSeconds(10);

        var response = await RequestAsync(WithExpiresIn(expiresIn), now: now);

        Assert.That(response.ExpiresAt, Is.EqualTo(DateTimeOffset.MaxValue));
    }
}

using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using static DPoP.Http.Tests.Tokens.RenewalHarness;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// A failed renewal inside the <c>RefreshBeforeExpiry</c> window does not fail API calls while the cached token is
/// valid: the token keeps being used, a warning is logged, and the token endpoint is tried again after a back-off
/// (issue 11, defect 8). Tokens live 300 s and are renewed from 240 s.
/// </summary>
public sealed class EarlyRenewalTests
{
    [Test]
    public async Task GetAccessTokenAsync_TokenEndpoint503InRenewalWindow_UsesCachedTokenAndLogsWarning()
    {
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : Unavailable());
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));

        var authorization = await harness.CallAsync();
        await harness.SettledAsync();

        var warnings = harness.TokenLogs(LogLevel.Warning);
        Assert.Multiple(() =>
        {
            Assert.That(authorization, Is.EqualTo("DPoP token-1"));
            Assert.That(harness.TokenRequests, Is.EqualTo(2));
            Assert.That(warnings.Select(w => w.Id.Id), Is.EqualTo(new[] { 101 }));
            Assert.That(warnings[0].Message, Does.Contain("503").And.Contain("'api'"));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_NetworkErrorInRenewalWindow_UsesCachedToken()
    {
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : throw new HttpRequestException("connection refused"));
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));

        var authorization = await harness.CallAsync();
        await harness.SettledAsync();

        Assert.Multiple(() =>
        {
            Assert.That(authorization, Is.EqualTo("DPoP token-1"));
            Assert.That(harness.TokenLogs(LogLevel.Warning).Select(w => w.Id.Id), Is.EqualTo(new[] { 101 }));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_MalformedTokenResponseInRenewalWindow_UsesCachedToken()
    {
        using var harness = new RenewalHarness(n => n == 1
            ? Token("token-1")
            : Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent("{\"access_token\":\"t\",\"token_type\":\"DPoP\",\"expires_in\":true}") }));
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));

        var authorization = await harness.CallAsync();
        await harness.SettledAsync();

        Assert.That(authorization, Is.EqualTo("DPoP token-1"));
    }

    [Test]
    public async Task GetAccessTokenAsync_RightAfterAFailedEarlyRenewal_DoesNotCallTheTokenEndpoint()
    {
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : Unavailable());
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));
        await harness.CallAsync();
        await harness.SettledAsync();

        harness.Time.Advance(TimeSpan.FromMilliseconds(900));
        var authorizations = new List<string?>();
        for (var i = 0; i < 5; i++)
        {
            authorizations.Add(await harness.CallAsync());
        }

        Assert.Multiple(() =>
        {
            Assert.That(authorizations, Is.All.EqualTo("DPoP token-1"));
            Assert.That(harness.TokenRequests, Is.EqualTo(2), "backing off");
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_AfterTheBackOff_TriesAgainAndUsesTheNewTokenOnSuccess()
    {
        using var harness = new RenewalHarness(n => n switch { 1 => Token("token-1"), 2 => Unavailable(), _ => Token("token-2") });
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));
        await harness.CallAsync();
        await harness.SettledAsync();

        harness.Time.Advance(TimeSpan.FromSeconds(1.5));
        var duringRenewal = await harness.CallAsync();
        await harness.SettledAsync();
        var afterRenewal = await harness.CallAsync();

        Assert.Multiple(() =>
        {
            Assert.That(duringRenewal, Is.EqualTo("DPoP token-1"), "a caller with a valid token does not wait for the renewal");
            Assert.That(afterRenewal, Is.EqualTo("DPoP token-2"));
            Assert.That(harness.TokenRequests, Is.EqualTo(3));
            Assert.That(harness.TokenLogs(LogLevel.Information).Select(r => r.Id.Id), Is.EqualTo(new[] { 102 }), "recovery logged");
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_RepeatedFailures_BackOffGrows()
    {
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : Unavailable());
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));
        var requestsAt = new List<int>();

        // Failures at 250 s, then retries no earlier than 1 s, 2 s, 4 s, 8 s after each failure.
        for (var tenths = 0; tenths <= 160; tenths++)
        {
            await harness.CallAsync();
            await harness.SettledAsync();
            requestsAt.Add(harness.TokenRequests);
            harness.Time.Advance(TimeSpan.FromMilliseconds(100));
        }

        var attempts = requestsAt.Select((count, tenth) => (count, tenth)).Where(x => x.tenth == 0 || requestsAt[x.tenth - 1] != x.count).Select(x => x.tenth).ToArray();
        Assert.That(attempts, Is.EqualTo(new[] { 0, 10, 30, 70, 150 }));
    }

    [Test]
    public async Task GetAccessTokenAsync_TokenExpiredAndTokenEndpointFails_FailsWithTheEndpointsError()
    {
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : Unavailable());
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));
        await harness.CallAsync();
        await harness.SettledAsync();

        harness.Time.Advance(TimeSpan.FromSeconds(50));
        var ex = Assert.ThrowsAsync<DPoPTokenException>(() => harness.CallAsync());

        Assert.Multiple(() =>
        {
            Assert.That(ex!.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(ex.Error, Is.EqualTo("temporarily_unavailable"));
            Assert.That(harness.TokenRequests, Is.EqualTo(3), "an expired token is never used; the call waits for its own attempt");
            Assert.That(harness.ApiAuthorizations, Has.Count.EqualTo(2));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_ClockNearDateTimeOffsetMaxValue_UsesAndRenewsTokensWithoutOverflow()
    {
        using var harness = new RenewalHarness(n => n == 2 ? Unavailable() : Token("token-" + n), DateTimeOffset.MaxValue - TimeSpan.FromSeconds(100));

        var first = await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(60)); // 40 s left: inside the window (half the 100 s that remained)
        var inWindow = await harness.CallAsync();
        await harness.SettledAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(35));
        await harness.CallAsync();
        await harness.SettledAsync();
        var renewed = await harness.CallAsync();

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo("DPoP token-1"));
            Assert.That(inWindow, Is.EqualTo("DPoP token-1"));
            Assert.That(renewed, Is.EqualTo("DPoP token-3"));
        });
    }

    [Test]
    public async Task Logs_OfFailedAndSuccessfulRenewals_NeverContainTokensOrTheSecret()
    {
        using var harness = new RenewalHarness(n => n switch { 1 => Token("token-1-a8f3c2"), 2 => Unavailable(), 3 => throw new HttpRequestException("refused"), _ => Token("token-4-e71b90") });
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));
        await harness.CallAsync();
        await harness.SettledAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(1.5));
        await harness.CallAsync();
        await harness.SettledAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(2.5));
        await harness.CallAsync();
        await harness.SettledAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(100));
        await harness.CallAsync();

        var records = harness.Logs.GetSnapshot().Where(r => r.Category?.StartsWith("DPoP.Http", StringComparison.Ordinal) == true).ToList();
        var text = new StringBuilder();
        foreach (var record in records)
        {
            text.AppendLine(record.Message).AppendLine(record.Exception?.ToString());
            foreach (var (name, value) in record.StructuredState ?? [])
            {
                text.Append(name).Append('=').AppendLine(value);
            }
        }

        Assert.Multiple(() =>
        {
            Assert.That(records.Select(r => r.Id.Id), Is.SupersetOf(new[] { 100, 101, 102 }));
            Assert.That(text.ToString(), Does.Not.Contain("token-1-a8f3c2").And.Not.Contain("token-4-e71b90").And.Not.Contain(ClientSecret));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_ValidTokenOutsideAndInsideTheWindow_AllocatesNothing()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        var requests = 0;
        using var http = new HttpClient(new Endpoints(_ => Interlocked.Increment(ref requests) == 1 ? Token("token-1") : release.Task));
        var options = new DPoPTokenClientOptions { TokenEndpoint = TokenEndpoint, ClientId = "client-1", ClientSecret = ClientSecret };
        using var key = DPoPKey.Generate();
        var provider = new ClientCredentialsTokenProvider("api", _ => new DPoPTokenClient(http, options, time), _ => ValueTask.FromResult(key), options, time, Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance);
        using var request = new HttpRequestMessage(HttpMethod.Get, "https://api.example/orders");
        await provider.GetAccessTokenAsync(request, CancellationToken.None);

        long Measure()
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            for (var i = 0; i < 100; i++)
            {
                var pending = provider.GetAccessTokenAsync(request, CancellationToken.None);
                if (!pending.IsCompletedSuccessfully)
                {
                    return long.MaxValue; // a caller with a valid token waited
                }

                _ = pending.Result;
            }

            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        Measure();
        var outside = Measure();
        time.Advance(TimeSpan.FromSeconds(250));
        provider.GetAccessTokenAsync(request, CancellationToken.None).AsTask().Wait(); // starts the background renewal, held by the endpoint
        var inside = Measure();
        release.TrySetResult(await Token("token-2"));
        await provider.WhenRenewalSettled;

        Assert.Multiple(() =>
        {
            Assert.That(outside, Is.Zero, "valid token outside the window");
            Assert.That(inside, Is.Zero, "valid token inside the window while a renewal is in flight");
        });
    }
}

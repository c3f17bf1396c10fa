using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// How <c>AddDPoPTokenExchange()</c> caches exchanged tokens, against a Kestrel token endpoint and API on 127.0.0.1
/// (issue 22): a token without a usable <c>expires_in</c> is renewed at half its default lifetime at the latest, and
/// a failed exchange is never served to a later caller, whoever started it.
/// </summary>
[Category("Integration")]
public sealed class TokenExchangeCachingTests
{
    /// <summary>The API client "downstream", exchanging the subject token "alice" at <paramref name="tokenEndpoint"/>.</summary>
    private static ServiceProvider Build(KestrelTestServer tokenEndpoint, TimeProvider? time = null, Action<DPoPTokenClientOptions>? configure = null)
    {
        var services = new ServiceCollection();
        if (time is not null)
        {
            services.AddSingleton(time);
        }

        services.AddHttpClient("downstream").AddDPoP().AddDPoPTokenExchange(
            o =>
            {
                o.TokenEndpoint = new Uri(tokenEndpoint.BaseAddress, "token");
                o.ClientId = "api";
                o.ClientAuthentication = DPoPClientAuthenticationMethod.None;
                configure?.Invoke(o);
            },
            (_, _) => ValueTask.FromResult<string?>("alice"));
        return services.BuildServiceProvider();
    }

    private static async Task<HttpStatusCode> CallAsync(ServiceProvider services, Uri api, CancellationToken cancellationToken = default)
    {
        using var response = await services.GetRequiredService<IHttpClientFactory>().CreateClient("downstream").GetAsync(api, cancellationToken);
        return response.StatusCode;
    }

    private static Task Answer(HttpContext context, SeenRequest request, string expiresIn)
    {
        if (request.Uri.AbsolutePath != "/token")
        {
            return Task.CompletedTask; // the API: 200
        }

        context.Response.ContentType = "application/json";
        var lifetime = expiresIn.Length == 0 ? "" : $",\"expires_in\":{expiresIn}";
        return context.Response.WriteAsync($"{{\"access_token\":\"exchanged-{Guid.NewGuid():N}\",\"token_type\":\"DPoP\"{lifetime}}}");
    }

    private static TokenExchangeTokenProvider Provider(ServiceProvider services) =>
        (TokenExchangeTokenProvider)services.GetRequiredKeyedService<IDPoPAccessTokenProvider>("downstream");

    [TestCase("", TestName = "AddDPoPTokenExchange_NoExpiresIn_ThreeRequestsOneExchange")]
    [TestCase("0", TestName = "AddDPoPTokenExchange_ExpiresInZero_ThreeRequestsOneExchange")]
    [TestCase("\"NaN\"", TestName = "AddDPoPTokenExchange_ExpiresInNotANumber_ThreeRequestsOneExchange")]
    public async Task AddDPoPTokenExchange_NoUsableExpiresIn_RenewsAtHalfTheDefaultLifetime(string expiresIn)
    {
        await using var server = await KestrelTestServer.StartAsync((context, request) => Answer(context, request, expiresIn));
        var time = new FakeTimeProvider(new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero));

        // The default lifetime is no longer than RefreshBeforeExpiry (60 s): half of it is the renewal window.
        using var services = Build(server, time, o => o.DefaultTokenLifetime = TimeSpan.FromSeconds(60));
        var api = new Uri(server.BaseAddress, "orders");
        int Exchanges() => server.Seen.Count(r => r.Uri.AbsolutePath == "/token");

        var statuses = new[] { await CallAsync(services, api), await CallAsync(services, api), await CallAsync(services, api) };
        var exchangesBefore = Exchanges();
        time.Advance(TimeSpan.FromSeconds(29));
        await CallAsync(services, api);
        var exchangesJustBefore = Exchanges();
        time.Advance(TimeSpan.FromSeconds(2));
        await CallAsync(services, api);
        await Provider(services).WhenExchangesSettled.WaitAsync(TimeSpan.FromSeconds(10)); // renewed in the background (issue 21)

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Is.All.EqualTo(HttpStatusCode.OK));
            Assert.That(exchangesBefore, Is.EqualTo(1), "three requests, one exchange");
            Assert.That(exchangesJustBefore, Is.EqualTo(1), "29 s in: still cached");
            Assert.That(Exchanges(), Is.EqualTo(2), "31 s in: renewed in the background (half of the 60 s default lifetime)");
        });
    }

    [Test]
    public async Task AddDPoPTokenExchange_FirstCallerCancelsThenExchangeFails_NextCallerGetsANewExchange()
    {
        var arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var exchanges = 0;
        await using var server = await KestrelTestServer.StartAsync(async (context, request) =>
        {
            if (request.Uri.AbsolutePath == "/token" && Interlocked.Increment(ref exchanges) == 1)
            {
                arrived.SetResult();
                await gate.Task;
                context.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
                return;
            }

            await Answer(context, request, "300");
        });
        using var services = Build(server);
        var api = new Uri(server.BaseAddress, "orders");

        // The first caller starts the exchange and gives up while the token endpoint holds it.
        using var cancel = new CancellationTokenSource();
        var first = CallAsync(services, api, cancel.Token);
        await arrived.Task.WaitAsync(TimeSpan.FromSeconds(10));
        await cancel.CancelAsync();
        Assert.That(async () => await first, Throws.InstanceOf<OperationCanceledException>());

        // The exchange goes on, fails (503), and the server recovers.
        gate.SetResult();
        await Provider(services).WhenExchangesSettled.WaitAsync(TimeSpan.FromSeconds(10));
        var next = await CallAsync(services, api);

        Assert.Multiple(() =>
        {
            Assert.That(next, Is.EqualTo(HttpStatusCode.OK), "the old failure is not served");
            Assert.That(Volatile.Read(ref exchanges), Is.EqualTo(2));
            Assert.That(server.Seen.Last().Authorization, Does.StartWith("DPoP exchanged-"));
        });
    }
}

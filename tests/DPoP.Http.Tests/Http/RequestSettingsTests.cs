using System.Net;
using DPoP.Http.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.Tests.Http;

/// <summary>The per-request and per-client settings whose effect is on the wire: SetDPoPNonceRetry, ClockOffset.</summary>
public sealed class RequestSettingsTests
{
    [Test]
    public async Task SetDPoPNonceRetry_False_ReturnsTheChallenge_AndTheNextRequestCarriesItsNonce()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.ResourceNonceChallenge("n-1") : MockServer.Ok());
        var client = host.CreateClient();

        using var first = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPNonceRetry(false);
        using var challenged = await client.SendAsync(first);
        using var second = await client.GetAsync("orders");

        Assert.Multiple(() =>
        {
            Assert.That(challenged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(host.Requests, Has.Length.EqualTo(2), "no retry of the first request");
            Assert.That(host.Requests[0].Verified.Payload.RootElement.TryGetProperty("nonce", out _), Is.False);
            Assert.That(host.Requests[1].Verified.Payload.RootElement.GetProperty("nonce").GetString(), Is.EqualTo("n-1"));
        });
    }

    [Test]
    public async Task SetDPoPNonceRetry_True_KeepsTheClientsRetry()
    {
        using var host = new DPoPTestHost((_, n) => n == 1 ? MockServer.ResourceNonceChallenge("n-1") : MockServer.Ok());

        using var request = new HttpRequestMessage(HttpMethod.Get, "orders").SetDPoPNonceRetry(true);
        using var response = await host.CreateClient().SendAsync(request);

        Assert.Multiple(() =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(host.Requests, Has.Length.EqualTo(2));
        });
    }

    [TestCase(0)]
    [TestCase(90)]
    [TestCase(-3600)]
    public async Task ClockOffset_IsAddedToTheClock_ForIat(int offsetSeconds)
    {
        var clock = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 12, 0, 0, TimeSpan.Zero));
        using var host = new DPoPTestHost(
            (_, _) => MockServer.Ok(),
            configure: o => o.Handler.ClockOffset = TimeSpan.FromSeconds(offsetSeconds),
            services: (services, _) => services.AddSingleton<TimeProvider>(clock));

        using var response = await host.CreateClient().GetAsync("orders");

        var iat = host.Requests.Single().Verified.Payload.RootElement.GetProperty("iat").GetInt64();
        Assert.That(iat, Is.EqualTo(clock.GetUtcNow().ToUnixTimeSeconds() + offsetSeconds));
    }
}

using System.Collections.Concurrent;
using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Many requests at once: counters, events and the replay cache stay exact.</summary>
public sealed class ConcurrencyTests
{
    private readonly ConcurrentQueue<DemoServerEvent> _callbackEvents = new();
    private DemoServer _server = null!;
    private DemoServerClient _client = null!;
    private DPoPKey _key = null!;
    private string _token = null!;

    private Uri Orders => new(_server.ApiBaseAddress, "orders");

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _server = await DemoServer.StartAsync(new DemoServerOptions { OnEvent = _callbackEvents.Enqueue });
        _client = new DemoServerClient(_server);
        _key = DPoPKey.Generate();
        _token = await _client.GetAccessTokenAsync(_key);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        _key.Dispose();
        _client.Dispose();
        await _server.DisposeAsync();
    }

    [Test]
    public async Task Resource_ThousandConcurrentRequests_AllAcceptedAndCounted()
    {
        const int count = 1000;
        var nonce = await _client.GetResourceNonceAsync();
        var acceptedBefore = _server.Statistics.ResourceRequestsAccepted;
        var okEventsBefore = _server.Events.Count(e => e.Kind == DemoServerEventKinds.ResourceOk);

        var statuses = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var uri = new Uri(Orders, $"?i={i}");
            using var response = await _client.SendResourceAsync(_key, _token, HttpMethod.Get, uri, nonce);
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Has.All.EqualTo(HttpStatusCode.OK));
            Assert.That(_server.Statistics.ResourceRequestsAccepted - acceptedBefore, Is.EqualTo(count));
            Assert.That(_server.Events.Count(e => e.Kind == DemoServerEventKinds.ResourceOk) - okEventsBefore, Is.EqualTo(count));
        });
    }

    [Test]
    public async Task Resource_SameProofSentConcurrently_ExactlyOneAccepted()
    {
        const int count = 50;
        var nonce = await _client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(_key, HttpMethod.Get, Orders, _token, nonce);
        var replaysBefore = _server.Statistics.ReplaysDetected;

        var statuses = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var response = await _client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", _token, proof);
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.EqualTo(1));
            Assert.That(statuses.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(count - 1));
            Assert.That(_server.Statistics.ReplaysDetected - replaysBefore, Is.EqualTo(count - 1));
        });
    }

    [Test]
    public async Task Token_ConcurrentRequestsWithDistinctKeys_AllIssued()
    {
        const int count = 100;
        var issuedBefore = _server.Statistics.TokensIssued;

        var thumbprints = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var key = DPoPKey.Generate();
            var token = await _client.GetAccessTokenAsync(key);
            return (Expected: key.JwkThumbprint, Actual: Jwt.Payload(token).GetProperty("cnf").GetProperty("jkt").GetString());
        }));

        Assert.Multiple(() =>
        {
            Assert.That(thumbprints, Has.All.Matches<(string Expected, string? Actual)>(t => t.Expected == t.Actual));
            Assert.That(_server.Statistics.TokensIssued - issuedBefore, Is.EqualTo(count));
        });
    }

    [Test]
    public async Task OnEvent_EveryRecordedEvent_IsPassedToCallback()
    {
        using var response = await _client.SendResourceAsync(HttpMethod.Get, Orders, null, null, null);

        var recorded = _server.Events;
        Assert.That(_callbackEvents.ToArray(), Is.SupersetOf(recorded));
    }
}

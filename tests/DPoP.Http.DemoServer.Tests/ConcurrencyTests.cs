using System.Collections.Concurrent;
using System.Net;
using DPoP.Http.DemoServer.Tests.Support;

namespace DPoP.Http.DemoServer.Tests;

/// <summary>Many requests at once: counters, events and the replay cache stay exact.</summary>
[Category("Integration")]
public sealed class ConcurrencyTests : TokenHolderFixture
{
    private readonly ConcurrentQueue<DemoServerEvent> _callbackEvents = new();

    protected override DemoServerOptions CreateOptions() => new DemoServerOptions { OnEvent = _callbackEvents.Enqueue };

    [Test]
    public async Task Resource_ThousandConcurrentRequests_AllAcceptedAndCounted()
    {
        const int count = 1000;
        var nonce = await Client.GetResourceNonceAsync();
        var acceptedBefore = Server.Statistics.ResourceRequestsAccepted;
        var okEventsBefore = Server.Events.Count(e => e.Kind == DemoServerEventKinds.ResourceOk);

        var statuses = await Task.WhenAll(Enumerable.Range(0, count).Select(async i =>
        {
            var uri = new Uri(Orders, $"?i={i}");
            using var response = await Client.SendResourceAsync(Key, Token, HttpMethod.Get, uri, nonce);
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(statuses, Has.All.EqualTo(HttpStatusCode.OK));
            Assert.That(Server.Statistics.ResourceRequestsAccepted - acceptedBefore, Is.EqualTo(count));
            Assert.That(Server.Events.Count(e => e.Kind == DemoServerEventKinds.ResourceOk) - okEventsBefore, Is.EqualTo(count));
        });
    }

    [Test]
    public async Task Resource_SameProofSentConcurrently_ExactlyOneAccepted()
    {
        const int count = 50;
        var nonce = await Client.GetResourceNonceAsync();
        var proof = DPoPProof.Create(Key, HttpMethod.Get, Orders, Token, nonce);
        var replaysBefore = Server.Statistics.ReplaysDetected;

        var statuses = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, "DPoP", Token, proof);
            return response.StatusCode;
        }));

        Assert.Multiple(() =>
        {
            Assert.That(statuses.Count(s => s == HttpStatusCode.OK), Is.EqualTo(1));
            Assert.That(statuses.Count(s => s == HttpStatusCode.Unauthorized), Is.EqualTo(count - 1));
            Assert.That(Server.Statistics.ReplaysDetected - replaysBefore, Is.EqualTo(count - 1));
        });
    }

    [Test]
    public async Task Token_ConcurrentRequestsWithDistinctKeys_AllIssued()
    {
        const int count = 100;
        var issuedBefore = Server.Statistics.TokensIssued;

        var thumbprints = await Task.WhenAll(Enumerable.Range(0, count).Select(async _ =>
        {
            using var key = DPoPKey.Generate();
            var token = await Client.GetAccessTokenAsync(key);
            return (Expected: key.JwkThumbprint, Actual: Jwt.Payload(token).GetProperty("cnf").GetProperty("jkt").GetString());
        }));

        Assert.Multiple(() =>
        {
            Assert.That(thumbprints, Has.All.Matches<(string Expected, string? Actual)>(t => t.Expected == t.Actual));
            Assert.That(Server.Statistics.TokensIssued - issuedBefore, Is.EqualTo(count));
        });
    }

    [Test]
    public async Task OnEvent_EveryRecordedEvent_IsPassedToCallback()
    {
        using var response = await Client.SendResourceAsync(HttpMethod.Get, Orders, null, null, null);

        var recorded = Server.Events;
        Assert.That(_callbackEvents.ToArray(), Is.SupersetOf(recorded));
    }
}

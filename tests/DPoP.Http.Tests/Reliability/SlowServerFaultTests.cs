using DPoP.Http.Tests.Support;
using Microsoft.AspNetCore.Http;
using static DPoP.Http.Tests.Reliability.FaultScenario;

namespace DPoP.Http.Tests.Reliability;

/// <summary>
/// A slow server on the first attempt, on the retry and in the middle of an error body, with the caller's
/// cancellation and HttpClient.Timeout: a clear exception, and the handler leaks no response.
/// </summary>
[Category("Integration")]
public sealed class SlowServerFaultTests
{
    [Test]
    public async Task FirstAttempt_ServerSlow_Cancelled_ThrowsOperationCanceled_NoRetry()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(1));

        Assert.That(async () => await client.Http.SendAsync(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(server.Seen, Has.Count.EqualTo(1));
            Assert.That(client.Tracker.Undisposed(), Is.Empty);
        });
    }

    [Test]
    public async Task FirstAttempt_ServerSlow_HttpClientTimeout_ThrowsTaskCanceledWithTimeout()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(1));

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.That(server.Seen, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Retry_ServerSlow_Cancelled_ThrowsOperationCanceled_ChallengeDisposed()
    {
        await using var server = await ChallengeThen(async c => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress);
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));

        Assert.That(async () => await client.Http.SendAsync(Get(), cts.Token), Throws.InstanceOf<OperationCanceledException>());
        Assert.Multiple(() =>
        {
            Assert.That(server.Seen, Has.Count.EqualTo(2));
            Assert.That(client.Tracker.Responses, Has.Count.EqualTo(1));
            Assert.That(client.Tracker.Undisposed(), Is.Empty, "the challenge answered before the retry is disposed");
        });
    }

    [Test]
    public async Task Retry_ServerSlow_HttpClientTimeout_ThrowsTaskCanceledWithTimeout_ChallengeDisposed()
    {
        await using var server = await ChallengeThen(async c => await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted));
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(2));

        Assert.That(async () => await client.Http.SendAsync(Get()), Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.Multiple(() =>
        {
            Assert.That(server.Seen, Has.Count.EqualTo(2));
            Assert.That(client.Tracker.Undisposed(), Is.Empty);
        });
    }

    [Test]
    public async Task ErrorBody_ServerStallsMidBody_HttpClientTimeout_ResponseDisposed()
    {
        await using var server = await KestrelTestServer.StartAsync(async (c, _) =>
        {
            c.Response.StatusCode = 400;
            c.Response.Headers["DPoP-Nonce"] = "n-stall";
            await c.Response.WriteAsync("{\"error_description\":\"");
            await c.Response.Body.FlushAsync();
            await Task.Delay(TimeSpan.FromSeconds(10), c.RequestAborted);
        });
        using var client = new DPoPTestHost(LoopbackOnly.CreatePrimaryHandler, server.BaseAddress, timeout: TimeSpan.FromSeconds(2));
        using var request = new HttpRequestMessage(HttpMethod.Post, "token") { Content = new StringContent("x") };

        Assert.That(async () => await client.Http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead),
            Throws.InstanceOf<TaskCanceledException>().With.InnerException.InstanceOf<TimeoutException>());
        Assert.That(client.Tracker.Undisposed(), Is.Empty, "the stalled 400 is disposed, its connection released");
    }
}

using System.Collections.Concurrent;
using static DPoP.Http.Tests.Tokens.RenewalHarness;

namespace DPoP.Http.Tests.Tokens;

/// <summary>
/// Many callers at once inside the renewal window or past expiry: one token request, nobody waits for a renewal
/// while the cached token is valid, and one caller cancelling does not stop the shared renewal.
/// </summary>
public sealed class EarlyRenewalConcurrencyTests
{
    [Test]
    public async Task GetAccessTokenAsync_FiftyConcurrentCallersInRenewalWindow_OneTokenRequestAndNobodyWaits()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : release.Task);
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(250));
        try
        {
            var calls = Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => harness.CallAsync())));
            var finished = await Task.WhenAny(calls, Task.Delay(TimeSpan.FromSeconds(10))) == calls;
            SpinWait.SpinUntil(() => harness.TokenRequests >= 2, TimeSpan.FromSeconds(10)); // the background renewal reaches the endpoint

            Assert.Multiple(() =>
            {
                Assert.That(finished, Is.True, "callers with a valid token do not wait for the renewal");
                Assert.That(finished ? calls.Result : [], Is.All.EqualTo("DPoP token-1"));
                Assert.That(harness.TokenRequests, Is.EqualTo(2));
            });
        }
        finally
        {
            release.TrySetResult(await Token("token-2"));
        }

        await harness.SettledAsync();
        var afterRenewal = await harness.CallAsync();
        Assert.Multiple(() =>
        {
            Assert.That(afterRenewal, Is.EqualTo("DPoP token-2"));
            Assert.That(harness.TokenRequests, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_FiftyConcurrentCallersWithExpiredToken_OneTokenRequest()
    {
        using var harness = new RenewalHarness(n => Token("token-" + n));
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(301));

        var authorizations = await Task.WhenAll(Enumerable.Range(0, 50).Select(_ => Task.Run(() => harness.CallAsync())));

        Assert.Multiple(() =>
        {
            Assert.That(authorizations, Is.All.EqualTo("DPoP token-2"));
            Assert.That(harness.TokenRequests, Is.EqualTo(2));
        });
    }

    [Test]
    public async Task GetAccessTokenAsync_OneWaitingCallerCancels_TheSharedRenewalGoesOn()
    {
        var release = new TaskCompletionSource<HttpResponseMessage>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var harness = new RenewalHarness(n => n == 1 ? Token("token-1") : release.Task);
        await harness.CallAsync();
        harness.Time.Advance(TimeSpan.FromSeconds(301));
        using var cancel = new CancellationTokenSource();

        var cancelled = harness.CallAsync(cancel.Token);
        var waiting = harness.CallAsync();
        await cancel.CancelAsync();
        Assert.That(async () => await cancelled, Throws.InstanceOf<OperationCanceledException>());
        release.TrySetResult(await Token("token-2"));
        var renewed = await waiting;

        Assert.Multiple(() =>
        {
            Assert.That(renewed, Is.EqualTo("DPoP token-2"));
            Assert.That(harness.TokenRequests, Is.EqualTo(2));
        });
    }
}

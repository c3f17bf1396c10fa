using System.Diagnostics;
using DPoP.Http.AspNetCore;
using DPoP.Http.InteropTests.AspNetCore.Support;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.InteropTests.AspNetCore;

/// <summary>
/// The farm-wide refresh lock when its engine fails: a Redis that stalls (<c>CLIENT PAUSE</c>) or is down makes the
/// waiting calls fail within RefreshLockTimeout with a clear exception and a warning, never a second refresh, and
/// everything works again once Redis is back.
/// </summary>
public sealed class FarmFaultTests : InteropTest
{
    [Test]
    public async Task RedisPaused_WhileInstanceARefreshes_BFailsWithinTheBound_ThenBothRecoverWithOneGrant()
    {
        var gate = new TokenEndpointGate { HoldRequest = "refresh_token" };
        await using var farm = await WebFarm.StartAsync(refreshLock: true, configureInstance: (i, services) =>
        {
            services.AddSingleton<IStartupFilter, ExceptionReporter>();
            if (i == 0)
            {
                gate.Install(services); // A's refresh is held at the token endpoint, the lock taken
                services.PostConfigure<DPoPOpenIdConnectOptions>(WebApp.Scheme, o => o.RefreshTimeout = TimeSpan.FromSeconds(30));
            }
            else
            {
                services.PostConfigure<DPoPOpenIdConnectOptions>(WebApp.Scheme, o => (o.RefreshTimeout, o.RefreshLockTimeout) = (TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(1)));
            }
        });
        var (onA, onB) = await FarmRefreshTests.SignInAsync(farm);
        using var alice = onA;
        using var aliceCookieCopy = onB;
        var mark = InteropServers.Log.Count;

        farm.Advance(WebApp.PastExpiry);
        var onACall = FarmRefreshTests.CallAsync(onA);
        await gate.Held.WaitAsync(TimeSpan.FromSeconds(30));
        var elapsed = Stopwatch.StartNew();
        var onBCall = FarmRefreshTests.CallAsync(onB);
        await farm.WaitForEventAsync(219, TimeSpan.FromSeconds(30)); // B waits for the lock A holds
        Assert.That(await farm.Redis.CommandAsync("CLIENT", "PAUSE", "4000", "ALL"), Is.EqualTo("+OK"));
        var failedOnB = await onBCall;
        elapsed.Stop();

        gate.Release();
        var onAResult = await onACall; // A's write waits for Redis to come back, then completes
        var recoveredOnB = await FarmRefreshTests.CallAsync(onB);

        Assert.Multiple(() =>
        {
            Assert.That(failedOnB, Does.StartWith("System.TimeoutException|").And.Contain("'oidc'").And.Contain("RefreshLockTimeout"), failedOnB);
            Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(30)), "bounded by RefreshTimeout, not by Redis or HttpClient");
            Assert.That(farm.B.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[220]"), "the lock failure is logged as a warning");
            Assert.That(onAResult, Is.EqualTo("api:200"), "A's refresh is stored once Redis answers again");
            Assert.That(recoveredOnB, Is.EqualTo("api:200"), "B uses the tokens A stored");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1), "no second refresh, before or after");
            Assert.That(ProviderLog.Count(mark, "invalid_grant"), Is.Zero);
        });
    }

    [Test]
    public async Task LockEngineDown_CallsFailWithinTheBound_WarningOncePerOutage_NoRefreshWithoutTheLock_ThenBackToNormal()
    {
        await using var lockRedis = await RedisServer.StartAsync();
        await using var farm = await WebFarm.StartAsync(
            refreshLock: true,
            o => (o.RefreshTimeout, o.RefreshLockTimeout) = (TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(2)),
            (_, services) => services.AddSingleton<IStartupFilter, ExceptionReporter>(),
            lockRedis);
        var (onA, onB) = await FarmRefreshTests.SignInAsync(farm);
        using var alice = onA;
        using var aliceCookieCopy = onB;
        var mark = InteropServers.Log.Count;

        lockRedis.Stop();
        farm.Advance(WebApp.PastExpiry);
        var elapsed = Stopwatch.StartNew();
        var first = await FarmRefreshTests.CallAsync(onB);
        var second = await FarmRefreshTests.CallAsync(onB);
        elapsed.Stop();
        var grantsWhileDown = ProviderLog.RefreshGrants(mark);

        await lockRedis.StartAgainAsync();
        var afterwards = await FarmRefreshTests.CallAsync(onB);

        Assert.Multiple(() =>
        {
            // A Redis client queues commands while it reconnects: a down engine looks like a silent one, bounded the same way.
            Assert.That(first, Does.StartWith("System.TimeoutException|").And.Contain("'oidc'").And.Contain("RefreshLockTimeout").And.Contain("did not answer"), first);
            Assert.That(second, Is.EqualTo(first));
            Assert.That(elapsed.Elapsed, Is.LessThan(TimeSpan.FromSeconds(20)), "each call bounded by RefreshTimeout");
            Assert.That(grantsWhileDown, Is.Zero, "no refresh without the lock");
            Assert.That(farm.B.Log.Messages.Count(m => m.Contains("DPoP.Http.AspNetCore[220]", StringComparison.Ordinal) || m.Contains("DPoP.Http.AspNetCore[221]", StringComparison.Ordinal)), Is.EqualTo(1), "one warning for the outage");
            Assert.That(farm.B.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[222]"), "the next failure at Debug level");
            Assert.That(afterwards, Is.EqualTo("api:200"), "back to normal when the engine returns");
            Assert.That(farm.B.Log.Messages, Has.Some.Contains("DPoP.Http.AspNetCore[223]"), "and said so");
            Assert.That(ProviderLog.RefreshGrants(mark), Is.EqualTo(1));
        });
    }
}

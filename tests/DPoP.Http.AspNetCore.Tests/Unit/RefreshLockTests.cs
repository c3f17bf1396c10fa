using DPoP.Http.AspNetCore.Internal;
using Medallion.Threading;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using Microsoft.Extensions.Options;

namespace DPoP.Http.AspNetCore.Tests.Unit;

/// <summary>The farm-wide refresh lock's options, its names, and the start-up warning for a farm without it.</summary>
public sealed class RefreshLockTests
{
    [Test]
    public void DPoPOptions_ByDefault_UseARegisteredLockWithAThreeSecondWait()
    {
        using var services = UnitServices.Build();

        var options = services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc");

        Assert.Multiple(() =>
        {
            Assert.That(options.UseDistributedRefreshLock, Is.True);
            Assert.That(options.RefreshLockTimeout, Is.EqualTo(TimeSpan.FromSeconds(3)));
            Assert.That(options.RefreshLockTimeout, Is.LessThan(options.RefreshTimeout));
            Assert.That(options.RefreshLockPrefix, Is.EqualTo("DPoP.Http.AspNetCore.refresh."));
        });
    }

    [TestCase(0, "RefreshLockTimeout must be positive and shorter than RefreshTimeout")]
    [TestCase(5, "RefreshLockTimeout must be positive and shorter than RefreshTimeout")]
    public void DPoPOptions_WithALockWaitNotInsideRefreshTimeout_FailNamingSchemeAndProperty(int seconds, string expected)
    {
        using var services = UnitServices.Build(configureDPoP: o => o.RefreshLockTimeout = TimeSpan.FromSeconds(seconds));

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc"));

        Assert.That(failure!.Message, Does.Contain($"DPoP options of OpenID Connect scheme 'oidc': {expected}"));
    }

    [TestCase("")]
    [TestCase("  ")]
    public void DPoPOptions_WithAnEmptyLockPrefix_FailNamingSchemeAndProperty(string prefix)
    {
        using var services = UnitServices.Build(configureDPoP: o => o.RefreshLockPrefix = prefix);

        var failure = Assert.Throws<OptionsValidationException>(() => services.GetRequiredService<IOptionsMonitor<DPoPOpenIdConnectOptions>>().Get("oidc"));

        Assert.That(failure!.Message, Does.Contain("DPoP options of OpenID Connect scheme 'oidc': RefreshLockPrefix must not be empty"));
    }

    [Test]
    public void Name_OfASession_IsThePrefixAndAHash_NeverTheSessionId()
    {
        var name = SessionRefreshLock.Name("p.", "oidc", "session-id-123");

        Assert.Multiple(() =>
        {
            Assert.That(name, Does.StartWith("p.").And.Not.Contain("session-id-123").And.Not.Contain("oidc"));
            Assert.That(name, Has.Length.EqualTo(2 + 43), "base64url SHA-256");
            Assert.That(SessionRefreshLock.Name("p.", "oidc", "session-id-124"), Is.Not.EqualTo(name));
            Assert.That(SessionRefreshLock.Name("p.", "other", "session-id-123"), Is.Not.EqualTo(name), "one lock per scheme and session");
        });
    }

    [Test]
    public async Task StartUp_WithASharedStoreAndNoLockProvider_WarnsNamingTheRaceAndTheFix()
    {
        var log = await StartAsync(services => services.AddSingleton<IDistributedCache, SharedStore>());

        var warning = log.GetSnapshot().Single(r => r.Id.Id == 225);
        Assert.Multiple(() =>
        {
            Assert.That(warning.Level, Is.EqualTo(LogLevel.Warning));
            Assert.That(warning.Message, Does.Contain("'oidc'").And.Contain(typeof(SharedStore).FullName!).And.Contain("no IDistributedLockProvider is registered"));
            Assert.That(warning.Message, Does.Contain("same refresh token twice").And.Contain("Register an IDistributedLockProvider"));
        });
    }

    [TestCase(false, false)]
    [TestCase(true, true)]
    public async Task StartUp_WithTheInMemoryStoreOrALockProvider_DoesNotWarn(bool sharedStore, bool lockProvider)
    {
        var log = await StartAsync(services =>
        {
            if (sharedStore)
            {
                services.AddSingleton<IDistributedCache, SharedStore>();
            }

            if (lockProvider)
            {
                services.AddSingleton<IDistributedLockProvider, UnusedLockProvider>();
            }
        });

        Assert.That(log.GetSnapshot().Where(r => r.Id.Id == 225), Is.Empty);
    }

    [Test]
    public async Task StartUp_WithALockProviderButTheLockTurnedOff_Warns()
    {
        var log = await StartAsync(
            services => services.AddSingleton<IDistributedCache, SharedStore>().AddSingleton<IDistributedLockProvider, UnusedLockProvider>(),
            o => o.UseDistributedRefreshLock = false);

        Assert.That(log.GetSnapshot().Single(r => r.Id.Id == 225).Message, Does.Contain("UseDistributedRefreshLock is false"));
    }

    [Test]
    public async Task AcquireAsync_WhenTheEngineThrows_FailsNamingSchemeAndEngine_WarningOnceThenDebug()
    {
        var collector = new FakeLogCollector();
        using var services = UnitServices.Build(configureServices: services => services
            .AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)).SetMinimumLevel(LogLevel.Trace))
            .AddSingleton<IDistributedLockProvider>(new ThrowingLockProvider()));
        var locks = services.GetRequiredService<SessionRefreshLock>();

        var first = Assert.ThrowsAsync<InvalidOperationException>(() => locks.AcquireAsync("oidc", "session", CancellationToken.None));
        var second = Assert.ThrowsAsync<InvalidOperationException>(() => locks.AcquireAsync("oidc", "session", CancellationToken.None));
        await Task.CompletedTask;

        var events = collector.GetSnapshot().Select(r => r.Id.Id).Where(id => id is 221 or 222).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(first!.Message, Does.Contain("'oidc'").And.Contain(typeof(ThrowingLockProvider).FullName!).And.Contain("lock engine"));
            Assert.That(first.InnerException, Is.TypeOf<IOException>(), "the engine's exception inside");
            Assert.That(first.Message, Does.Not.Contain("secret-lock-detail"), "the engine's message is not repeated");
            Assert.That(second, Is.Not.Null);
            Assert.That(events, Is.EqualTo(new[] { 221, 222 }), "one warning, then Debug");
        });
    }

    [Test]
    public async Task AcquireAsync_WhenTheEngineNeverAnswers_FailsWithinRefreshLockTimeout()
    {
        var engine = new SilentLockProvider();
        using var services = UnitServices.Build(
            configureDPoP: o => o.RefreshLockTimeout = TimeSpan.FromMilliseconds(200),
            configureServices: services => services.AddSingleton<IDistributedLockProvider>(engine));
        var locks = services.GetRequiredService<SessionRefreshLock>();

        var failure = Assert.ThrowsAsync<TimeoutException>(() => locks.AcquireAsync("oidc", "session", CancellationToken.None));
        await Task.CompletedTask;

        Assert.Multiple(() =>
        {
            Assert.That(failure!.Message, Does.Contain("'oidc'").And.Contain("RefreshLockTimeout").And.Contain("did not answer"));
            Assert.That(engine.Asked, Is.EqualTo(1), "asked once, then given up on at the bound");
        });
    }

    private static async Task<FakeLogCollector> StartAsync(Action<IServiceCollection> configureServices, Action<DPoPOpenIdConnectOptions>? configureDPoP = null)
    {
        var collector = new FakeLogCollector();
        using var services = UnitServices.Build(configureDPoP: configureDPoP, configureServices: services =>
        {
            services.AddLogging(b => b.AddProvider(new FakeLoggerProvider(collector)));
            configureServices(services);
        });
        foreach (var hosted in services.GetServices<IHostedService>())
        {
            await hosted.StartAsync(CancellationToken.None);
        }

        return collector;
    }

    private sealed class SharedStore : MemoryDistributedCacheStandIn;

    private class MemoryDistributedCacheStandIn : IDistributedCache
    {
        public byte[]? Get(string key) => null;

        public Task<byte[]?> GetAsync(string key, CancellationToken token = default) => Task.FromResult<byte[]?>(null);

        public void Refresh(string key)
        {
        }

        public Task RefreshAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Remove(string key)
        {
        }

        public Task RemoveAsync(string key, CancellationToken token = default) => Task.CompletedTask;

        public void Set(string key, byte[] value, DistributedCacheEntryOptions options)
        {
        }

        public Task SetAsync(string key, byte[] value, DistributedCacheEntryOptions options, CancellationToken token = default) => Task.CompletedTask;
    }

    private sealed class ThrowingLockProvider : IDistributedLockProvider
    {
        public IDistributedLock CreateLock(string name) => throw new IOException("secret-lock-detail: connection refused");
    }

    /// <summary>An engine whose acquire never completes (it ignores cancellation, as a stalled connection can).</summary>
    private sealed class SilentLockProvider : IDistributedLockProvider, IDistributedLock
    {
        public int Asked { get; private set; }

        public string Name => "silent";

        public IDistributedLock CreateLock(string name) => this;

        public ValueTask<IDistributedSynchronizationHandle?> TryAcquireAsync(TimeSpan timeout = default, CancellationToken cancellationToken = default)
        {
            Asked++;
            return new ValueTask<IDistributedSynchronizationHandle?>(new TaskCompletionSource<IDistributedSynchronizationHandle?>().Task);
        }

        public IDistributedSynchronizationHandle? TryAcquire(TimeSpan timeout = default, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public IDistributedSynchronizationHandle Acquire(TimeSpan? timeout = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();

        public ValueTask<IDistributedSynchronizationHandle> AcquireAsync(TimeSpan? timeout = null, CancellationToken cancellationToken = default) => throw new NotSupportedException();
    }

    private sealed class UnusedLockProvider : IDistributedLockProvider
    {
        public IDistributedLock CreateLock(string name) => throw new NotSupportedException("Not used at start-up.");
    }
}

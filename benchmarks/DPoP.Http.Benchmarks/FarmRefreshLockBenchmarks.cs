using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using BenchmarkDotNet.Attributes;
using DPoP.Http.AspNetCore;
using DPoP.Http.AspNetCore.Internal;
using Medallion.Threading;
using Medallion.Threading.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.StackExchangeRedis;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace DPoP.Http.Benchmarks;

/// <summary>
/// What the farm-wide refresh lock adds to a session's refresh: the refresh's store work against a real Redis on
/// loopback (Debian's redis-server, started here) — read the session, check the tombstone, write, check again, as
/// <c>UserTokenRefresher</c> does — without the lock (baseline: one instance, or no lock provider) and inside
/// <c>SessionRefreshLock</c> over DistributedLock.Redis on the same Redis. The grant itself is left out: it costs
/// the same in both rows, so the difference is the lock's.
/// </summary>
[MemoryDiagnoser]
[MedianColumn]
public class FarmRefreshLockBenchmarks
{
    private const string Scheme = "oidc";
    private const string SessionId = "benchmark-session";

    private Process _redis = null!;
    private ConnectionMultiplexer _connection = null!;
    private UserSessionStore _store = null!;
    private SessionRefreshLock _lock = null!;
    private UserSession _session = null!;

    /// <summary>With the lock provider registered (the farm), or without (baseline).</summary>
    [Params(false, true)]
    public bool Lock { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var port = FreePort();
        _redis = Process.Start(new ProcessStartInfo("redis-server", $"--port {port} --bind 127.0.0.1 --save \"\" --appendonly no") { RedirectStandardOutput = true })
            ?? throw new InvalidOperationException("redis-server did not start (apt-get install -y redis-server).");
        _connection = ConnectWithRetry($"127.0.0.1:{port}");
        var cache = new RedisCache(Options.Create(new RedisCacheOptions { ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(_connection) }));
        _store = new UserSessionStore(cache, new EphemeralDataProtectionProvider());
        var options = new StaticOptions(new DPoPOpenIdConnectOptions());
        _lock = Lock
            ? new SessionRefreshLock(options, NullLoggerFactory.Instance, new RedisDistributedSynchronizationProvider(_connection.GetDatabase()))
            : new SessionRefreshLock(options, NullLoggerFactory.Instance);
        var now = DateTimeOffset.UtcNow;
        _session = new UserSession("access-token", "DPoP", now.AddMinutes(5), now, "refresh-token", "openid", null);
        _store.SetAsync(Scheme, SessionId, _session, TimeSpan.FromHours(1), CancellationToken.None).GetAwaiter().GetResult();
        if (Lock != _lock.IsEnabled(Scheme))
        {
            throw new InvalidOperationException("The benchmark's lock is not set up as described.");
        }
    }

    [Benchmark]
    public async Task<string> RefreshStoreWork()
    {
        await using (await _lock.AcquireAsync(Scheme, SessionId, CancellationToken.None))
        {
            var current = await _store.GetAsync(Scheme, SessionId, CancellationToken.None) ?? throw new InvalidOperationException("The session is gone.");
            var updated = current with { AccessToken = "access-token-2" }; // the grant's answer (stubbed)
            if (!await _store.IsEndedAsync(Scheme, SessionId, CancellationToken.None))
            {
                await _store.SetAsync(Scheme, SessionId, updated, TimeSpan.FromHours(1), CancellationToken.None);
                _ = await _store.IsEndedAsync(Scheme, SessionId, CancellationToken.None);
            }

            return updated.AccessToken;
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _connection.Dispose();
        _redis.Kill();
        _redis.Dispose();
    }

    private static ConnectionMultiplexer ConnectWithRetry(string configuration)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return ConnectionMultiplexer.Connect(configuration);
            }
            catch (RedisConnectionException) when (attempt < 50)
            {
                Thread.Sleep(100); // redis-server is starting
            }
        }
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private sealed class StaticOptions(DPoPOpenIdConnectOptions options) : IOptionsMonitor<DPoPOpenIdConnectOptions>
    {
        public DPoPOpenIdConnectOptions CurrentValue => options;

        public DPoPOpenIdConnectOptions Get(string? name) => options;

        public IDisposable? OnChange(Action<DPoPOpenIdConnectOptions, string?> listener) => null;
    }
}

using DPoP.Http.AspNetCore;
using Medallion.Threading;
using Medallion.Threading.Redis;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// Two instances of the test app (separate Kestrel hosts) behind no load balancer, set up as the README's farm recipe
/// says: one real Redis (redis-server on a loopback port, started here) as the session store
/// (<c>AddStackExchangeRedisCache</c>), one Data Protection key ring in it (<c>PersistKeysToStackExchangeRedis</c>), and,
/// when asked, the refresh lock on it (DistributedLock.Redis). Each instance has its own Redis connection, as it would.
/// </summary>
internal sealed class WebFarm : IAsyncDisposable
{
    private readonly List<IConnectionMultiplexer> _connections = [];
    private RedisServer? _lockRedis;

    private WebFarm(RedisServer redis) => Redis = redis;

    public RedisServer Redis { get; }

    public WebApp A { get; private set; } = null!;

    public WebApp B { get; private set; } = null!;

    public IEnumerable<WebApp> Instances => [A, B];

    /// <param name="refreshLock">Register the Redis lock provider (the only step that turns the farm-wide lock on).</param>
    /// <param name="configureInstance">Each instance's further registrations (0 for A, 1 for B).</param>
    /// <param name="lockRedis">A Redis of its own for the lock (so a test can take the lock engine down alone); null: the shared one.</param>
    public static async Task<WebFarm> StartAsync(bool refreshLock, Action<DPoPOpenIdConnectOptions>? configureDPoP = null, Action<int, IServiceCollection>? configureInstance = null, RedisServer? lockRedis = null)
    {
        var farm = new WebFarm(await RedisServer.StartAsync()) { _lockRedis = lockRedis };
        try
        {
            farm.A = await farm.StartInstanceAsync(0, refreshLock, configureDPoP, configureInstance);
            farm.B = await farm.StartInstanceAsync(1, refreshLock, configureDPoP, configureInstance);
            return farm;
        }
        catch
        {
            await farm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Advances both instances' token clocks (each app judges expiry by its own).</summary>
    public void Advance(TimeSpan by)
    {
        A.Clock.Advance(by);
        B.Clock.Advance(by);
    }

    /// <summary>Waits until an instance has logged event <paramref name="eventId"/> of DPoP.Http.AspNetCore (a signal, polled).</summary>
    public async Task WaitForEventAsync(int eventId, TimeSpan timeout)
    {
        var text = $"DPoP.Http.AspNetCore[{eventId}]";
        var deadline = DateTime.UtcNow + timeout;
        while (!Instances.Any(i => i.Log.Messages.Any(m => m.Contains(text, StringComparison.Ordinal))))
        {
            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"No instance logged {text} within {timeout}.");
            }

            await Task.Delay(20);
        }
    }

    private async Task<WebApp> StartInstanceAsync(int index, bool refreshLock, Action<DPoPOpenIdConnectOptions>? configureDPoP, Action<int, IServiceCollection>? configureInstance)
    {
        var connection = await ConnectionMultiplexer.ConnectAsync(Redis.Configuration);
        _connections.Add(connection);
        var lockConnection = connection;
        if (_lockRedis is not null)
        {
            // abortConnect=false: the app starts and reconnects on its own while the lock engine is down.
            lockConnection = await ConnectionMultiplexer.ConnectAsync(_lockRedis.Configuration + ",abortConnect=false");
            _connections.Add(lockConnection);
        }
        return await WebApp.StartAsync(
            configureDPoP: configureDPoP,
            configureServices: services =>
            {
                services.AddStackExchangeRedisCache(o =>
                {
                    o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(connection);
                    o.InstanceName = "farm-app:";
                });
                if (refreshLock)
                {
                    services.AddSingleton<IDistributedLockProvider>(_ => new RedisDistributedSynchronizationProvider(lockConnection.GetDatabase()));
                }

                configureInstance?.Invoke(index, services);
            },
            configureDataProtection: dataProtection => dataProtection
                .SetApplicationName("farm-app")
                .PersistKeysToStackExchangeRedis(connection, "farm-app:data-protection-keys"));
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var app in new[] { A, B })
        {
            if (app is not null)
            {
                await app.DisposeAsync();
            }
        }

        foreach (var connection in _connections)
        {
            await connection.DisposeAsync();
        }

        await Redis.DisposeAsync();
    }
}

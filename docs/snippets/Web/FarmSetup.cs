using Medallion.Threading;
using Medallion.Threading.Redis;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using StackExchange.Redis;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>Program.cs of a web app running as several instances behind a load balancer.</summary>
public static class FarmSetup
{
    public static void AddFarm(WebApplicationBuilder builder)
    {
        #region farm
        var redis = ConnectionMultiplexer.Connect(builder.Configuration.GetConnectionString("redis")!);

        // 1. Sessions (tokens and key, protected) in one store every instance reads.
        builder.Services.AddStackExchangeRedisCache(o =>
        {
            o.ConnectionMultiplexerFactory = () => Task.FromResult<IConnectionMultiplexer>(redis);
            o.InstanceName = "orders-web:";
        });

        // 2. One Data Protection key ring: cookies, sessions and the key in state readable on every instance.
        builder.Services.AddDataProtection()
            .SetApplicationName("orders-web")
            .PersistKeysToStackExchangeRedis(redis, "orders-web:dp-keys");

        // 3. One refresh per session across the farm.
        builder.Services.AddSingleton<IDistributedLockProvider>(new RedisDistributedSynchronizationProvider(redis.GetDatabase()));
        #endregion
    }

    public static void TuneLock(IServiceCollection services)
    {
        #region lock-options
        services.AddDPoPOpenIdConnect("oidc", o =>
        {
            o.RefreshLockTimeout = TimeSpan.FromSeconds(3);          // the default; shorter than RefreshTimeout
            o.RefreshLockPrefix = "orders-web:dpop-refresh:";        // lock names: this prefix + a SHA-256 hash
        });
        #endregion
    }
}

using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>A fleet of instances sharing one DPoP key and one token cache (the many-instances page).</summary>
public static class ManyInstances
{
    public static void Register(WebApplicationBuilder builder)
    {
        #region shared-cache
        // One key for the fleet, from configuration backed by a secret store (PEM or private JWK).
        // One cache for the fleet: HybridCache with Redis as its distributed (L2) tier.
        builder.Services.AddHybridCache();
        builder.Services.AddStackExchangeRedisCache(options =>
        {
            options.Configuration = builder.Configuration.GetConnectionString("redis");
            options.InstanceName = "orders-app:";
        });

        builder.Services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(builder.Configuration.GetSection("DPoP:Orders"))   // DPoP:Orders:PrivateKey or PrivateKeyPath
            .AddDPoPClientCredentialsToken(builder.Configuration.GetSection("Orders:Token"));
        #endregion
    }

    public static void Timeout(IServiceCollection services, IConfiguration configuration)
    {
        #region shared-cache-timeout
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(configuration.GetSection("DPoP:Orders"))
            .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"), options =>
                options.SharedCacheTimeout = TimeSpan.FromMilliseconds(300)); // TimeSpan.Zero: this client's tokens stay in process
        #endregion
    }

    public static void Nonces(IServiceCollection services)
    {
        #region shared-nonces
        services.AddHybridCache();                 // with an L2 such as Redis, as above
        services.AddDPoPSharedNonceStore();        // nonces learned by one instance serve the others
        #endregion
    }
}

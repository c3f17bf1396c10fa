using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>Client-credentials registrations shown on the client credentials page.</summary>
public static class ClientCredentialsSetup
{
    public static void Inline(IServiceCollection services, IConfiguration configuration)
    {
        #region inline
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(options =>
            {
                options.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                options.ClientId = "orders-worker";
                options.ClientSecret = configuration["Orders:ClientSecret"];
                options.Scope = "orders.read orders.write";
            });
        #endregion
    }

    public static void FromConfiguration(IServiceCollection services, IConfiguration configuration)
    {
        #region from-configuration
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(configuration.GetSection("DPoP:Orders"))
            .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"));
        #endregion
    }

    public static void Renewal(IServiceCollection services, IConfiguration configuration)
    {
        #region renewal
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"), options =>
            {
                options.RefreshBeforeExpiry = TimeSpan.FromMinutes(2);   // renew 2 minutes before expiry (at most half the lifetime)
                options.DefaultTokenLifetime = TimeSpan.FromMinutes(10); // for answers without a usable expires_in
            });
        #endregion
    }

    public static void Bearer(IServiceCollection services, IConfiguration configuration)
    {
        #region allow-bearer
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"), options =>
                options.AllowBearerTokens = true); // during a migration only: the server does not bind these tokens
        #endregion
    }
}

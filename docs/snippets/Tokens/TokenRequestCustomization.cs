using DPoP.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>The token request hook and token partitions (the customizing page).</summary>
public static class TokenRequestCustomization
{
    public static void Hook(IServiceCollection services, IConfiguration configuration)
    {
        #region hook
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"))
            .AddDPoPTokenRequestHook((request, cancellationToken) =>
            {
                // Runs once per token request (not per API request), for every grant; the same for every API request.
                if (request.GrantType == "client_credentials")
                {
                    request.Resources.Add("https://api.example.com/");
                    request.Parameters["deployment"] = "eu-west";
                }

                return ValueTask.CompletedTask;
            });
        #endregion
    }

    public static void Partition(IServiceCollection services, IConfiguration configuration)
    {
        #region partition
        services.AddHttpClient<TenantOrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(configuration.GetSection("Orders:Token"))
            .AddDPoPTokenPartition(partition =>
            {
                // Runs for every API request that needs a token; what it sets is part of the token's cache key.
                if (partition.Request.Options.TryGetValue(TenantOrdersApi.Tenant, out var tenant))
                {
                    partition.Parameters["tenant"] = tenant;
                }

                // No tenant set: the client's default partition (its options alone).
            });
        #endregion
    }

    public static void FromOptions(IServiceCollection services)
    {
        #region options-parameters
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken(options =>
            {
                options.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                options.ClientId = "orders-worker";
                options.ClientSecret = "from a secret store";
                options.Resources.Add("https://api.example.com/");   // one resource parameter each (RFC 8707)
                options.Audience = "orders-api";                     // for servers that use audience instead
                options.Parameters["deployment"] = "eu-west";        // any other form parameter
            });
        #endregion
    }
}

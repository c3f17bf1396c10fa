using DPoP.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>What a Duende.AccessTokenManagement registration becomes (the migration page).</summary>
public static class DuendeMigration
{
    public static void ClientCredentials(IServiceCollection services, IConfiguration configuration)
    {
        #region client-credentials
        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(options => options.PrivateKey = configuration["Orders:DPoPJwk"])  // was ClientCredentialsClient.DPoPJsonWebKey
            .AddDPoPClientCredentialsToken(options =>                                // was AddClient("orders", …) + AddClientCredentialsTokenHandler("orders")
            {
                options.TokenEndpoint = new Uri("https://login.example.com/connect/token");
                options.ClientId = "orders-worker";
                options.ClientSecret = configuration["Orders:ClientSecret"];
                options.ClientAuthentication = DPoPClientAuthenticationMethod.ClientSecretBasic; // ClientCredentialStyle.AuthorizationHeader
                options.Scope = "orders.read";
                options.Resources.Add("urn:orders");                                   // Resource
                options.RefreshBeforeExpiry = TimeSpan.FromSeconds(60);                // CacheLifetimeBuffer
            })
            .ConfigureDPoPTokenEndpointClient(token => token.AddStandardResilienceHandler()); // HttpClientName / HttpClient
        #endregion
    }

    public static void UserTokens(IServiceCollection services)
    {
        #region user-tokens
        // After AddAuthentication().AddCookie().AddOpenIdConnect("oidc", …), as before:
        services.AddDPoPOpenIdConnect("oidc", options =>                       // was AddOpenIdConnectAccessTokenManagement(…)
            options.RefreshBeforeExpiry = TimeSpan.FromMinutes(1));            // RefreshBeforeExpiration; a key per session by default

        services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPUserAccessToken("oidc");                                   // was AddUserAccessTokenHandler()

        services.AddHttpClient("reports", client => client.BaseAddress = new Uri("https://reports.example.com/"))
            .AddDPoP()
            .AddDPoPClientCredentialsToken("oidc");                            // was AddClientAccessTokenHandler()
        #endregion
    }
}

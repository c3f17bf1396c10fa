using DPoP.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>DPoPTokenClient used directly, with two HttpClients that sign with one key.</summary>
public static class TokenClientDirect
{
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        #region token-client-registration
        // Both clients sign with the key named "orders": the token's cnf.jkt then matches the API proofs.
        services.AddHttpClient("orders-token").AddDPoP(options => options.KeyName = "orders");
        services.AddHttpClient("orders-api", client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(options => options.KeyName = "orders");
        #endregion
    }

    public static async Task<string> CallAsync(IHttpClientFactory factory, IConfiguration configuration, CancellationToken cancellationToken)
    {
        #region token-client-call
        var tokenClient = new DPoPTokenClient(factory.CreateClient("orders-token"), new DPoPTokenClientOptions
        {
            TokenEndpoint = new Uri("https://login.example.com/oauth2/token"),
            ClientId = "orders-worker",
            ClientSecret = configuration["Orders:ClientSecret"],
            Scope = "orders.read",
        });

        DPoPTokenResponse token = await tokenClient.RequestClientCredentialsTokenAsync(cancellationToken);

        using var request = new HttpRequestMessage(HttpMethod.Get, new Uri("orders", UriKind.Relative));
        request.SetDPoPAccessToken(token.AccessToken); // bound by the handler: Authorization: DPoP and the proof's ath
        using var response = await factory.CreateClient("orders-api").SendAsync(request, cancellationToken);
        return await response.Content.ReadAsStringAsync(cancellationToken);
        #endregion
    }
}

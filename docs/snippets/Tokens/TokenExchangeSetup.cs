using DPoP.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Tokens;

/// <summary>Token exchange (RFC 8693) as a client's token source, and by hand.</summary>
public static class TokenExchangeSetup
{
    public static void Register(IServiceCollection services, IConfiguration configuration)
    {
        #region exchange-registration
        services.AddHttpClient<StockApi>(client => client.BaseAddress = new Uri("https://stock.example.com/"))
            .AddDPoP()
            .AddDPoPTokenExchange(
                options =>
                {
                    options.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                    options.ClientId = "orders-api";
                    options.ClientSecret = configuration["Orders:ClientSecret"];
                },
                (request, cancellationToken) => ValueTask.FromResult(
                    request.Options.TryGetValue(StockApi.CallerToken, out var callerToken) ? callerToken : null),
                exchange =>
                {
                    exchange.Resources.Add("https://stock.example.com/");
                    exchange.Scope = "stock.read";
                });
        #endregion
    }

    public static async Task<DPoPTokenResponse> ExchangeAsync(DPoPTokenClient tokenClient, string callerAccessToken, CancellationToken cancellationToken)
    {
        #region exchange-direct
        DPoPTokenResponse downstream = await tokenClient.ExchangeTokenAsync(new DPoPTokenExchangeRequest
        {
            SubjectToken = callerAccessToken,            // SubjectTokenType: urn:ietf:params:oauth:token-type:access_token
            Resources = { "https://stock.example.com/" }, // or Audience = "urn:stock"
            Scope = "stock.read",
        }, cancellationToken);
        #endregion
        return downstream;
    }
}

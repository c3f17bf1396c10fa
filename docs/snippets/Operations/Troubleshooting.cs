using System.Net.Http.Json;
using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.Docs.Snippets.Operations;

/// <summary>Fixes shown on the troubleshooting page.</summary>
public static class Troubleshooting
{
    public static void ResilienceOrder(IServiceCollection services)
    {
        #region resilience-order
        var orders = services.AddHttpClient<OrdersApi>(c => c.BaseAddress = new Uri("https://api.example.com/"));
        orders.AddStandardResilienceHandler();   // first: the outer handler, its retries go through DPoP …
        orders.AddDPoP();                        // … which signs every attempt with a new proof
        #endregion
    }

    public static void SharedKeyName(IServiceCollection services)
    {
        #region shared-key-name
        // A token obtained through the "token" client is bound to the key named "orders"; the API client
        // must sign with that same key, or the resource server finds that cnf.jkt does not match.
        services.AddHttpClient("token").AddDPoP(o => o.KeyName = "orders");
        services.AddHttpClient<OrdersApi>(c => c.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP(o => o.KeyName = "orders");
        #endregion
    }

    public static void ChallengeOnSessionExpired(WebApplication app)
    {
        #region session-expired
        // The user's session cannot get a DPoP-bound token any more: send them to sign in again.
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (DPoPSessionExpiredException ex) when (!context.Response.HasStarted)
            {
                await context.ChallengeAsync(ex.Scheme);
            }
        });
        #endregion
    }
}

/// <summary>A typed client of the orders API.</summary>
public sealed partial class OrdersApi(HttpClient http, ILogger<OrdersApi> logger)
{
    public async Task<Order[]?> GetOrdersAsync(CancellationToken cancellationToken)
    {
        #region token-exception
        try
        {
            return await http.GetFromJsonAsync<Order[]>("orders", cancellationToken);
        }
        catch (DPoPTokenException ex)
        {
            // Error is the token endpoint's OAuth error code (invalid_client, invalid_grant, invalid_dpop_proof, …)
            // or DPoP.Http's own (invalid_token_response, unexpected_token_type); StatusCode its HTTP status.
            LogTokenFailure(logger, ex.Error, (int?)ex.StatusCode);
            throw;
        }
        #endregion
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "No access token for the orders API: {Error} (status {Status}).")]
    private static partial void LogTokenFailure(ILogger logger, string? error, int? status);
}

/// <summary>An order.</summary>
public sealed record Order(string Id);

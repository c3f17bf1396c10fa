using DPoP.Http.AspNetCore;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>User-token clients: per-resource tokens, the refresh bounds.</summary>
public static class UserTokenOptions
{
    public static void AddReportsClient(IServiceCollection services)
    {
        #region per-resource
        // The signed-in user's token for the reports API: obtained with the session's refresh token,
        // kept in the session beside the sign-in's token and refreshed on its own.
        services.AddHttpClient("reports", c => c.BaseAddress = new Uri("https://reports.example.com/"))
            .AddDPoP()
            .AddDPoPUserAccessToken("oidc", o =>
            {
                o.Resource = "https://reports.example.com";
                o.Scope = "reports.read";
            });
        #endregion
    }

    public static void AddWithResilience(IServiceCollection services)
    {
        #region resilience
        var orders = services.AddHttpClient<OrdersApi>(c => c.BaseAddress = new Uri("https://api.example.com/"));
        orders.AddStandardResilienceHandler();                  // outer: 10 s per attempt, each attempt a fresh proof
        orders.AddDPoP().AddDPoPUserAccessToken("oidc");        // inner: a refresh waits at most RefreshTimeout (5 s)
        #endregion
    }
}

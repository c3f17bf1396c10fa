using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DPoP.Http.Docs.Snippets.Core;

/// <summary>The getting-started page: a worker whose typed API client gets DPoP proofs and DPoP-bound tokens.</summary>
public static class QuickStart
{
    public static void Run(string[] args)
    {
        #region worker-program
        var builder = Host.CreateApplicationBuilder(args);

        #region add-dpop
        builder.Services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()                                  // a fresh DPoP proof on every request, nonces handled
            .AddDPoPClientCredentialsToken(o =>         // DPoP-bound access tokens, cached and renewed
            {
                o.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                o.ClientId = "orders-worker";
                o.ClientSecret = builder.Configuration["Orders:ClientSecret"];
                o.Scope = "orders.read";
            });
        #endregion

        builder.Services.AddHostedService<OrdersWorker>();
        builder.Build().Run();
        #endregion
    }
}

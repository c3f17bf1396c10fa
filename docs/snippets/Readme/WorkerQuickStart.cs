using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DPoP.Http.Docs.Snippets.Readme;

/// <summary>The worker quick start of README.md and src/DPoP.Http/README.md (.ci/check-docs.cs keeps them equal).</summary>
public static class WorkerQuickStart
{
    public static IHost Build(string[] args)
    {
        #region worker
        var builder = Host.CreateApplicationBuilder(args);

        builder.Services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()                               // a fresh DPoP proof on every request, nonce challenges answered
            .AddDPoPClientCredentialsToken(o =>      // DPoP-bound tokens, cached and renewed before they expire
            {
                o.TokenEndpoint = new Uri("https://login.example.com/oauth2/token");
                o.ClientId = "orders-worker";
                o.ClientSecret = builder.Configuration["Orders:ClientSecret"];
                o.Scope = "orders.read";
            });
        #endregion

        return builder.Build();
    }
}

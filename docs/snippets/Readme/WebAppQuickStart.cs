using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Readme;

/// <summary>The web app quick start of README.md and src/DPoP.Http.AspNetCore/README.md (.ci/check-docs.cs keeps them equal).</summary>
public static class WebAppQuickStart
{
    public static WebApplication Build(string[] args)
    {
        #region web-app
        var builder = WebApplication.CreateBuilder(args);

        builder.Services.AddAuthentication(o => { o.DefaultScheme = "Cookies"; o.DefaultChallengeScheme = "oidc"; })
            .AddCookie("Cookies")
            .AddOpenIdConnect("oidc", o =>
            {
                o.Authority = "https://login.example.com";
                o.ClientId = "orders-web";
                o.ClientSecret = builder.Configuration["Orders:ClientSecret"];
                o.ResponseType = "code";
                o.Scope.Add("offline_access");
                o.Scope.Add("orders.read");
            });
        builder.Services.AddDPoPOpenIdConnect("oidc");    // DPoP for this scheme's sign-in and the user's session

        builder.Services.AddHttpClient<OrdersApi>(client => client.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPUserAccessToken("oidc");              // the signed-in user's DPoP-bound token on every call

        var app = builder.Build();
        app.MapGet("/orders", (OrdersApi orders, CancellationToken ct) => orders.GetOpenOrdersAsync(ct))
            .RequireAuthorization();
        #endregion

        return app;
    }
}

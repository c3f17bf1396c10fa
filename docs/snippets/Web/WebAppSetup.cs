using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace DPoP.Http.Docs.Snippets.Web;

/// <summary>Program.cs of a web app that signs users in with DPoP-bound tokens and calls an API as them.</summary>
public static class WebAppSetup
{
    public static void AddSignIn(WebApplicationBuilder builder)
    {
        #region oidc-sign-in
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = "oidc";
            })
            .AddCookie()
            .AddOpenIdConnect("oidc", o =>
            {
                o.Authority = "https://login.example.com";
                o.ClientId = "orders-web";
                o.ClientSecret = builder.Configuration["Orders:ClientSecret"];
                o.ResponseType = "code";             // PKCE stays on (the default)
                o.Scope.Add("offline_access");       // a refresh token, so the session outlives the first access token
                o.Scope.Add("orders.read");
            });
        #endregion

        #region add-dpop-oidc
        builder.Services.AddDPoPOpenIdConnect("oidc");
        #endregion

        #region user-client
        builder.Services.AddHttpClient<OrdersApi>(c => c.BaseAddress = new Uri("https://api.example.com/"))
            .AddDPoP()
            .AddDPoPUserAccessToken("oidc");
        #endregion
    }

    public static void ConfigureOptions(IServiceCollection services)
    {
        #region dpop-options
        services.AddDPoPOpenIdConnect("oidc", o =>
        {
            o.Algorithm = DPoPAlgorithms.ES384;                 // per-session keys (default ES256)
            o.RefreshBeforeExpiry = TimeSpan.FromMinutes(2);    // default 60 s
            o.SessionIdleTimeout = TimeSpan.FromDays(30);       // at least as long as the sign-in cookie lives
        });
        #endregion
    }

    public static void RequirePushedAuthorization(IServiceCollection services)
    {
        #region par
        services.Configure<OpenIdConnectOptions>("oidc", o => o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Require);
        #endregion
    }

    public static void UsePrivateKeyJwt(IServiceCollection services)
    {
        #region private-key-jwt
        services.AddDPoPOpenIdConnect("oidc", o =>
        {
            o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
            o.ClientAssertionKeyPath = "/run/secrets/orders-web-client-key.pem";   // not the DPoP key
            o.ClientAssertionKeyId = "orders-web-2026";
        });

        // The OpenID Connect handler sends pushed authorization requests itself and cannot sign client assertions.
        services.Configure<OpenIdConnectOptions>("oidc", o => o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable);
        #endregion
    }

    public static void AcceptBearerTokens(IServiceCollection services)
    {
        #region allow-bearer
        // Only for a provider that cannot bind tokens yet: calls then go out as Authorization: Bearer.
        services.AddDPoPOpenIdConnect("oidc", o => o.AllowBearerTokens = true);
        #endregion
    }
}

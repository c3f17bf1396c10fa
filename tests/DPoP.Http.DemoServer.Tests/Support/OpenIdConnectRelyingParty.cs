using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.DemoServer.Tests.Support;

/// <summary>
/// A web app on 127.0.0.1 that signs in with ASP.NET Core's own OpenID Connect handler against a
/// <see cref="DemoServer"/>, with the handler's defaults (form_post, PKCE, PAR when discovery offers it) plus the
/// two things DPoP needs: the backchannel goes through DPoP.Http's handler (proofs and nonce retries on PAR and
/// token requests) and the authorization request carries <c>dpop_jkt</c>. <c>GET /</c> challenges or greets the user,
/// <c>GET /logout</c> signs out at the OP and comes back to <c>/signed-out</c>.
/// </summary>
internal sealed class OpenIdConnectRelyingParty : IAsyncDisposable
{
    private readonly LoopbackKestrel _host;
    private readonly DPoPKey _key;

    private OpenIdConnectRelyingParty(LoopbackKestrel host, DPoPKey key)
    {
        _host = host;
        _key = key;
    }

    public Uri BaseAddress => _host.BaseAddress;

    public string KeyThumbprint => _key.JwkThumbprint;

    /// <param name="server">The OP.</param>
    /// <param name="configure">Changes to the handler's options after the DPoP wiring.</param>
    /// <param name="cookiesOverHttp">
    /// Whether the correlation, nonce and session cookies may travel over http (<c>SameAsRequest</c> instead of the
    /// defaults' <c>Always</c>). An <see cref="HttpClient"/>'s cookie container needs it; Chromium treats loopback as
    /// secure and needs nothing.
    /// </param>
    public static async Task<OpenIdConnectRelyingParty> StartAsync(DemoServer server, Action<OpenIdConnectOptions>? configure = null, bool cookiesOverHttp = false)
    {
        var key = DPoPKey.Generate();
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { EnvironmentName = Environments.Production, Args = [] });
        builder.Logging.ClearProviders();
        LoopbackKestrel.Listen(builder);
        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = OpenIdConnectDefaults.AuthenticationScheme;
            })
            .AddCookie(o =>
            {
                if (cookiesOverHttp)
                {
                    o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                }
            })
            .AddOpenIdConnect(o =>
            {
                o.Authority = server.Issuer;
                o.RequireHttpsMetadata = false; // the demo OP is http on loopback
                o.ClientId = DemoServerOptions.DefaultWebClientId;
                o.ClientSecret = DemoServerOptions.DefaultWebClientSecret;
                o.ResponseType = "code";
                o.SaveTokens = true;
                o.Scope.Add("offline_access");
                o.BackchannelHttpHandler = new DPoPDelegatingHandler(key) { InnerHandler = new SocketsHttpHandler { UseProxy = false } };
                o.Events.OnRedirectToIdentityProvider = context =>
                {
                    // RFC 9449 §10; the handler copies it into the pushed request when it uses PAR.
                    context.ProtocolMessage.SetParameter("dpop_jkt", key.JwkThumbprint);
                    return Task.CompletedTask;
                };
                if (cookiesOverHttp)
                {
                    o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                    o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                }

                configure?.Invoke(o);
            });
        builder.Services.AddAuthorization();

        var app = builder.Build();
        app.UseAuthentication();
        app.MapGet("/", async context =>
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                await context.ChallengeAsync();
                return;
            }

            var tokenType = await context.GetTokenAsync("token_type");
            var hasRefreshToken = await context.GetTokenAsync("refresh_token") is { Length: > 0 };
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(
                $"<!DOCTYPE html><html><head><title>Signed in</title></head><body><p id=\"user\">hello {context.User.FindFirstValue(ClaimTypes.NameIdentifier)}; " +
                $"token_type {tokenType}; refresh token {(hasRefreshToken ? "kept" : "missing")}</p></body></html>");
        });
        app.MapGet("/logout", async context =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            await context.SignOutAsync(OpenIdConnectDefaults.AuthenticationScheme, new AuthenticationProperties { RedirectUri = "/signed-out" });
        });
        app.MapGet("/signed-out", context =>
        {
            context.Response.ContentType = "text/html; charset=utf-8";
            return context.Response.WriteAsync("<!DOCTYPE html><html><head><title>Signed out</title></head><body><p id=\"signed-out\">signed out</p></body></html>");
        });
        var host = await LoopbackKestrel.StartAsync(app);
        return new OpenIdConnectRelyingParty(host, key);
    }

    public async ValueTask DisposeAsync()
    {
        await _host.DisposeAsync();
        _key.Dispose();
    }
}

using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http.Features;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Samples.Web;

/// <summary>What the web and Blazor samples share: their port, the server they use and the cookie + OpenID Connect sign-in.</summary>
internal static class SampleSignIn
{
    public const string Scheme = OpenIdConnectDefaults.AuthenticationScheme;

    /// <summary>
    /// Listens on <paramref name="defaultUrl"/> unless <c>--urls</c> says otherwise, starts the demo server unless a provider
    /// is configured, and adds the cookie and OpenID Connect sign-in against it.
    /// </summary>
    /// <returns>The demo server, if started, and the API's root.</returns>
    public static async Task<(DemoServerHost? Demo, Uri Api)> AddAsync(WebApplicationBuilder builder, string defaultUrl, DemoServer.DemoServerOptions? demoOptions = null)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
        {
            builder.WebHost.UseUrls(defaultUrl);
        }

        var settings = builder.Configuration.GetSection("Server").Get<ServerSettings>() ?? new ServerSettings();
        var demo = settings.Authority is null ? await DemoServerHost.StartAsync(demoOptions) : null;
        var authority = settings.Authority ?? new Uri(demo!.Issuer);
        var api = settings.ApiBaseAddress ?? demo?.ApiBaseAddress ?? throw new InvalidOperationException("Set --Server:ApiBaseAddress with --Server:Authority.");

        builder.Services.AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = Scheme;
            })
            .AddCookie()
            .AddOpenIdConnect(Scheme, o =>
            {
                o.Authority = authority.ToString();
                o.RequireHttpsMetadata = authority.Scheme == Uri.UriSchemeHttps;
                o.ClientId = settings.ClientId;
                o.ClientSecret = settings.ClientSecret;
                o.ResponseType = "code";
                o.MapInboundClaims = false;
                o.TokenValidationParameters.NameClaimType = "name";
                foreach (var scope in settings.Scope.Split(' ', StringSplitOptions.RemoveEmptyEntries))
                {
                    o.Scope.Add(scope);
                }

                // RP-initiated logout names the client: the tokens (ID token included) live server-side, not in the cookie.
                o.Events.OnRedirectToIdentityProviderForSignOut = context =>
                {
                    context.ProtocolMessage.ClientId = context.Options.ClientId;
                    return Task.CompletedTask;
                };

                // The correlation and nonce cookies stay Secure (SameSite=None needs it): browsers treat http on
                // 127.0.0.1 and localhost as a secure context, so the sample works over http on loopback as it is.
            });
        return (demo, api);
    }

    /// <summary>Where the started <paramref name="app"/> listens.</summary>
    public static Uri BaseAddress(WebApplication app)
    {
        var address = app.Services.GetRequiredService<IServer>().Features.GetRequiredFeature<IServerAddressesFeature>().Addresses.First();
        return new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal).TrimEnd('/') + "/");
    }
}

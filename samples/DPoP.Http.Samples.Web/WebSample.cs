using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Samples.Web;

/// <summary>The sample web app and, unless a provider is configured, the demo OpenID provider and API it uses.</summary>
internal sealed class WebSample : IAsyncDisposable
{
    private const string Scheme = SampleSignIn.Scheme;

    private readonly WebApplication _app;
    private readonly DemoServerHost? _demo;

    private WebSample(WebApplication app, DemoServerHost? demo, Uri baseAddress)
    {
        _app = app;
        _demo = demo;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the app listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The in-process demo server, when no provider was configured.</summary>
    public DemoServerHost? Demo => _demo;

    /// <summary>Starts the app (on http://127.0.0.1:5080 unless <c>--urls</c> says otherwise) and, without configuration, the demo server.</summary>
    public static async Task<WebSample> StartAsync(string[] args)
    {
        var builder = WebApplication.CreateBuilder(args);
        var (demo, api) = await SampleSignIn.AddAsync(builder, "http://127.0.0.1:5080");

        // The DPoP part: sign-in binds the code and tokens to a key per session, and the API client sends the
        // signed-in user's DPoP-bound token with a fresh proof on every request, refreshing it when it is due.
        builder.Services.AddDPoPOpenIdConnect(Scheme);
        builder.Services.AddHttpClient<DemoApi>(c => c.BaseAddress = api)
            .AddDPoP()
            .AddDPoPUserAccessToken(Scheme);

        var app = builder.Build();
        app.UseAuthentication();
        MapPages(app);
        await app.StartAsync();
        return new WebSample(app, demo, SampleSignIn.BaseAddress(app));
    }

    /// <summary>Waits until the app is asked to stop (Ctrl+C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }
    }

    private static void MapPages(WebApplication app)
    {
        app.MapGet("/", (HttpContext context) => Results.Content(Pages.Home(context.User), "text/html"));

        app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Scheme]));

        app.MapGet("/call", async (HttpContext context, DemoApi api) =>
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                return Results.Challenge(new AuthenticationProperties { RedirectUri = "/call" }, [Scheme]);
            }

            try
            {
                return Results.Content(Pages.Call(context.User, await api.GetOrdersAsync(context.RequestAborted)), "text/html");
            }
            catch (DPoPSessionExpiredException)
            {
                // The session's tokens or key are gone, or its refresh token was refused: sign in again.
                return Results.Challenge(new AuthenticationProperties { RedirectUri = "/call" }, [Scheme]);
            }
        });

        app.MapPost("/signout", () => Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, Scheme])).DisableAntiforgery();
    }
}

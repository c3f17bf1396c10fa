using DPoP.Http.DemoServer;
using DPoP.Http.Samples.Blazor.Components;
using DPoP.Http.Samples.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using DemoServerHost = DPoP.Http.DemoServer.DemoServer;

namespace DPoP.Http.Samples.Blazor;

/// <summary>The Blazor sample app and, unless a provider is configured, the demo OpenID provider and API it uses.</summary>
internal sealed class BlazorSample : IAsyncDisposable
{
    private const string Scheme = SampleSignIn.Scheme;

    private readonly WebApplication _app;

    private BlazorSample(WebApplication app, DemoServerHost? demo, Uri baseAddress)
    {
        _app = app;
        Demo = demo;
        BaseAddress = baseAddress;
    }

    /// <summary>Where the app listens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The in-process demo server, when no provider was configured.</summary>
    public DemoServerHost? Demo { get; }

    /// <summary>
    /// Starts the app (on http://127.0.0.1:5090 unless <c>--urls</c> says otherwise) and, without configuration, the
    /// demo server with <paramref name="demoOptions"/> (tests shorten its access token lifetime).
    /// </summary>
    public static async Task<BlazorSample> StartAsync(string[] args, DemoServerOptions? demoOptions = null, TimeSpan? refreshBeforeExpiry = null)
    {
        // The application name finds the static web assets (blazor.web.js) when a test hosts the app.
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, ApplicationName = typeof(BlazorSample).Assembly.GetName().Name });
        // blazor.web.js is a static web asset: serve it from the build output in every environment, not only Development.
        builder.WebHost.UseStaticWebAssets();

        var (demo, api) = await SampleSignIn.AddAsync(builder, "http://127.0.0.1:5090", demoOptions);

        builder.Services.AddAuthorization();
        builder.Services.AddCascadingAuthenticationState();
        builder.Services.AddRazorComponents().AddInteractiveServerComponents();

        // The DPoP part: sign-in binds the code and tokens to a key per session; the API client sends the signed-in
        // user's DPoP-bound token with a fresh proof on every request, refreshing it when it is due; and
        // AddDPoPBlazorServer() gives the component's calls over the circuit the circuit's user.
        builder.Services.AddDPoPOpenIdConnect(Scheme, o => o.RefreshBeforeExpiry = refreshBeforeExpiry ?? o.RefreshBeforeExpiry);
        builder.Services.AddDPoPBlazorServer();
        builder.Services.AddHttpClient<DemoApi>(c => c.BaseAddress = api)
            .AddDPoP()
            .AddDPoPUserAccessToken(Scheme);

        var app = builder.Build();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseAntiforgery();
        app.MapStaticAssets();
        app.MapRazorComponents<App>().AddInteractiveServerRenderMode();
        app.MapGet("/signin", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/" }, [Scheme]));
        app.MapPost("/signout", () => Results.SignOut(
            new AuthenticationProperties { RedirectUri = "/" },
            [CookieAuthenticationDefaults.AuthenticationScheme, Scheme])).DisableAntiforgery();

        await app.StartAsync();
        return new BlazorSample(app, demo, SampleSignIn.BaseAddress(app));
    }

    /// <summary>Waits until the app is asked to stop (Ctrl+C).</summary>
    public Task WaitForShutdownAsync() => _app.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        if (Demo is not null)
        {
            await Demo.DisposeAsync();
        }
    }
}

using System.Net.Http.Json;
using System.Text.Json;
using DPoP.Http.AspNetCore;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authentication.OpenIdConnect;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.Extensions.Caching.Distributed;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;

namespace DPoP.Http.InteropTests.AspNetCore.Support;

/// <summary>
/// The app under test, as an app developer would write it: Kestrel on 127.0.0.1 (a free port), cookie + OpenID
/// Connect against oidc-provider, <c>AddDPoPOpenIdConnect()</c>, and an HttpClient with
/// <c>AddDPoP().AddDPoPUserAccessToken()</c> that calls the resource server as the signed-in user.
/// </summary>
internal sealed class WebApp : IAsyncDisposable
{
    /// <summary>The key id of the private_key_jwt client's assertion key, as the provider has it registered.</summary>
    public const string PrivateKeyJwtKeyId = "interop-private-key-jwt";

    public const string Scheme = "oidc";

    /// <summary>
    /// Past the expiry of the provider's 300 s access tokens by the package's clock (the provider still takes them, by
    /// its own): advance <see cref="Clock"/> by it, and the next call waits for the session's refresh.
    /// </summary>
    public static readonly TimeSpan PastExpiry = TimeSpan.FromSeconds(301);

    /// <summary>
    /// Inside the renewal window of the provider's 300 s access tokens (renewed 60 s before expiry): advance
    /// <see cref="Clock"/> by it, and calls are served with the valid token while the refresh runs in the background.
    /// </summary>
    public static readonly TimeSpan InRenewalWindow = TimeSpan.FromSeconds(250);

    private readonly WebApplication _app;

    private WebApp(WebApplication app, FakeTimeProvider clock, TrackingDistributedCache store, RecordingLoggerProvider log)
    {
        _app = app;
        Log = log;
        Clock = clock;
        Store = store;
        BaseAddress = LoopbackKestrel.BaseAddressesOf(app)[0];
    }

    public Uri BaseAddress { get; }

    /// <summary>The clock the package judges token expiry by (proofs and the OIDC handler use the real one).</summary>
    public FakeTimeProvider Clock { get; }

    public TrackingDistributedCache Store { get; }

    /// <summary>Everything the app logged, at every level.</summary>
    public RecordingLoggerProvider Log { get; }

    public IServiceProvider Services => _app.Services;

    /// <summary>
    /// The app as the provider's <c>private_key_jwt</c> web client: no secret, a client assertion for every token
    /// request, and the OpenID Connect handler's own PAR off (it cannot sign assertions).
    /// </summary>
    public static Task<WebApp> StartWithPrivateKeyJwtAsync()
    {
        var client = InteropServers.AuthorizationServer.WebPrivateKeyJwtClient;
        return StartAsync(
            o =>
            {
                o.ClientId = client.Id;
                o.ClientSecret = null;
                o.PushedAuthorizationBehavior = PushedAuthorizationBehavior.Disable;
            },
            o =>
            {
                o.ClientAuthentication = DPoPClientAuthenticationMethod.PrivateKeyJwt;
                o.ClientAssertionKey = client.PrivateJwk;
                o.ClientAssertionKeyId = PrivateKeyJwtKeyId;
            });
    }

    /// <param name="configureServices">The app's own further registrations, after everything else.</param>
    /// <param name="configureDataProtection">Where the app keeps its Data Protection keys; null: an ephemeral key ring of its own.</param>
    public static async Task<WebApp> StartAsync(
        Action<OpenIdConnectOptions>? configureOidc = null,
        Action<DPoPOpenIdConnectOptions>? configureDPoP = null,
        Action<IServiceCollection>? configureServices = null,
        Action<IDataProtectionBuilder>? configureDataProtection = null)
    {
        var server = InteropServers.AuthorizationServer;
        var client = server.WebClient;
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new TrackingDistributedCache();

        var builder = WebApplication.CreateSlimBuilder();
        LoopbackKestrel.Listen(builder);
        var log = new RecordingLoggerProvider();
        builder.Logging.ClearProviders().AddProvider(log).SetMinimumLevel(LogLevel.Trace);
        if (Environment.GetEnvironmentVariable("DPOP_WEB_TEST_LOG") is { Length: > 0 })
        {
            builder.Logging.AddProvider(new ProgressLoggerProvider());
        }
        builder.Services.AddSingleton<IDistributedCache>(store);
        var dataProtection = builder.Services.AddDataProtection();
        if (configureDataProtection is null)
        {
            dataProtection.UseEphemeralDataProtectionProvider();
        }
        else
        {
            configureDataProtection(dataProtection);
        }

        builder.Services
            .AddAuthentication(o =>
            {
                o.DefaultScheme = CookieAuthenticationDefaults.AuthenticationScheme;
                o.DefaultChallengeScheme = Scheme;
            })
            .AddCookie()
            .AddOpenIdConnect(Scheme, o =>
            {
                o.Authority = server.Issuer.OriginalString;
                o.RequireHttpsMetadata = false; // oidc-provider listens on http://127.0.0.1 in the tests
                o.ClientId = client.Id;
                o.ClientSecret = client.Secret;
                o.ResponseType = "code";
                o.ResponseMode = "query";
                o.Scope.Clear();
                foreach (var scope in server.WebScope.Split(' '))
                {
                    o.Scope.Add(scope);
                }

                o.Resource = server.JwtResource;
                o.MapInboundClaims = false;
                o.CorrelationCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.NonceCookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                configureOidc?.Invoke(o);
            });
        builder.Services.AddDPoPOpenIdConnect(Scheme, o =>
        {
            o.TimeProvider = clock;
            configureDPoP?.Invoke(o);
        });
        builder.Services.AddHttpClient("api", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP()
            .AddDPoPUserAccessToken(Scheme);
        builder.Services.AddHttpClient("app", c => c.BaseAddress = InteropServers.ResourceServer)
            .AddDPoP()
            .AddDPoPClientCredentialsToken(Scheme, o => o.Scope = "orders:read");
        builder.Services.AddSingleton<CapturedUsers>();
        configureServices?.Invoke(builder.Services);

        var app = builder.Build();
        app.Use(async (context, next) =>
        {
            try
            {
                await next(context);
            }
            catch (DPoPSessionExpiredException ex) when (!context.Response.HasStarted)
            {
                // What an app does with it: here, tell the test; a real app challenges the scheme.
                context.Response.StatusCode = StatusCodes.Status401Unauthorized;
                await context.Response.WriteAsync($"session-expired:{ex.Reason}");
            }
        });
        app.UseAuthentication();
        app.MapGet("/login", () => Results.Challenge(new AuthenticationProperties { RedirectUri = "/me" }, [Scheme]));
        app.MapGet("/me", (HttpContext context) => context.User.Identity?.IsAuthenticated == true
            ? Results.Text(context.User.FindFirst("sub")?.Value)
            : Results.Unauthorized());
        app.MapGet("/capture", (HttpContext context, CapturedUsers users) =>
        {
            if (context.User.Identity?.IsAuthenticated != true)
            {
                return Results.Unauthorized();
            }

            users.Add(context.User); // kept for work after this request, as an app queues it
            return Results.Text("captured");
        });
        app.MapGet("/user-token", async (HttpContext context) =>
        {
            using var token = await context.GetDPoPUserAccessTokenAsync(Scheme);
            return Results.Text(token.Key.JwkThumbprint);
        });
        app.MapGet("/api", async (HttpContext context, IHttpClientFactory factory) => Results.Json(await CallApiAsync(context, factory)));
        app.MapGet("/app-api", async (HttpContext context, IHttpClientFactory factory) => Results.Json(await CallApiAsync(context, factory, "app")));
        app.MapGet("/api/streamed", async (HttpContext context, IHttpClientFactory factory) =>
        {
            // The response has started (headers and a first line sent) before the user's token is refreshed:
            // the cookie can no longer change, so the rotated refresh token must be kept elsewhere.
            context.Response.ContentType = "application/json";
            await context.Response.WriteAsync(" ");
            await context.Response.Body.FlushAsync();
            var started = context.Response.HasStarted;
            var result = await CallApiAsync(context, factory);
            await context.Response.WriteAsync(JsonSerializer.Serialize(result with { ResponseStartedBeforeCall = started }));
        });
        app.MapGet("/logout", async (HttpContext context) =>
        {
            await context.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
            return Results.Text("signed out");
        });
        await app.StartAsync();
        return new WebApp(app, clock, store, log);
    }

    private static async Task<ApiResult> CallApiAsync(HttpContext context, IHttpClientFactory factory, string client = "api")
    {
        using var response = await factory.CreateClient(client).GetAsync("orders", context.RequestAborted);
        var body = await response.Content.ReadAsStringAsync(context.RequestAborted);
        using var json = body.Length > 0 ? JsonDocument.Parse(body) : null;
        string? Read(string name) => json?.RootElement.TryGetProperty(name, out var v) == true && v.ValueKind == JsonValueKind.String ? v.GetString() : null;
        return new ApiResult(context.User.FindFirst("sub")?.Value, (int)response.StatusCode, Read("sub"), Read("jkt"), Read("error_description"), false, Read("clientId"));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>What the app's /api endpoints answer: the signed-in user and what the resource server said.</summary>
internal sealed record ApiResult(string? User, int ApiStatus, string? TokenSubject, string? TokenJkt, string? ApiError, bool ResponseStartedBeforeCall, string? ClientId = null)
{
    public static async Task<ApiResult> ReadAsync(HttpResponseMessage response) =>
        (await response.Content.ReadFromJsonAsync<ApiResult>())!;
}

using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.DemoServer;

/// <summary>
/// An in-process OAuth 2.0 authorization server and resource server that speak DPoP (RFC 9449), for samples and
/// integration tests. It listens on <c>http://127.0.0.1</c> only and checks proofs with Microsoft.IdentityModel,
/// independently of DPoP.Http.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>POST /connect/token</c> (<see cref="TokenEndpoint"/>): the client credentials grant with
/// <c>client_secret_basic</c> or <c>client_secret_post</c>; answers DPoP-bound JWT access tokens
/// (<c>cnf.jkt</c>), or <c>use_dpop_nonce</c> (400) when the proof lacks the current nonce.</item>
/// <item><c>/api/{**path}</c>, any method (<see cref="ApiBaseAddress"/>): requires <c>Authorization: DPoP</c> and a
/// proof with <c>ath</c>; answers 200 with a JSON echo of the request (<c>method</c>, <c>path</c>, <c>query</c>,
/// <c>jkt</c>, <c>client_id</c>, <c>bodyLength</c>, <c>body</c>), or 401 with <c>WWW-Authenticate: DPoP</c>.</item>
/// </list>
/// Every refusal names the RFC 9449 §4.3 rule it enforces in <c>error_description</c> and in <see cref="Events"/>.
/// </remarks>
public sealed class DemoServer : IAsyncDisposable
{
    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly AccessTokenService _tokens;
    private readonly NonceIssuer _tokenNonces;
    private readonly NonceIssuer _resourceNonces;
    private readonly DemoServerEventLog _log;
    private int _disposed;

    private DemoServer(WebApplication app, AccessTokenService tokens, NonceIssuer tokenNonces, NonceIssuer resourceNonces, DemoServerEventLog log, int port)
    {
        _app = app;
        _tokens = tokens;
        _tokenNonces = tokenNonces;
        _resourceNonces = resourceNonces;
        _log = log;
        BaseAddress = BaseAddressFor(port);
        TokenEndpoint = new Uri(BaseAddress, "connect/token");
        ApiBaseAddress = new Uri(BaseAddress, "api/");
    }

    /// <summary>The server's root, for example <c>http://127.0.0.1:54321/</c>; also the <c>iss</c> of its tokens.</summary>
    public Uri BaseAddress { get; }

    /// <summary>The token endpoint: <see cref="BaseAddress"/> + <c>connect/token</c>.</summary>
    public Uri TokenEndpoint { get; }

    /// <summary>The root of the protected resources: <see cref="BaseAddress"/> + <c>api/</c>; any path below it is served.</summary>
    public Uri ApiBaseAddress { get; }

    /// <summary>Counters of requests, issued tokens, nonce challenges, rejections and replays; thread-safe.</summary>
    public DemoServerStatistics Statistics => _log.Statistics;

    /// <summary>A snapshot, in order, of every event recorded so far; each read makes a new copy.</summary>
    public IReadOnlyList<DemoServerEvent> Events => _log.Snapshot();

    /// <summary>
    /// Starts a server on <c>127.0.0.1</c> with <paramref name="options"/> (defaults when null) and returns once it
    /// accepts connections.
    /// </summary>
    /// <param name="options">The settings; read once, now.</param>
    /// <param name="cancellationToken">Cancels the start.</param>
    /// <returns>The running server; dispose it to stop it.</returns>
    /// <exception cref="ArgumentException">A setting is out of range (the message names it).</exception>
    /// <exception cref="IOException">The port is in use.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was canceled.</exception>
    public static async Task<DemoServer> StartAsync(DemoServerOptions? options = null, CancellationToken cancellationToken = default)
    {
        var settings = DemoServerSettings.From(options ?? new DemoServerOptions());
        var log = new DemoServerEventLog(settings.OnEvent);
        var tokenNonces = new NonceIssuer(settings.TimeProvider, settings.NonceLifetime);
        var resourceNonces = new NonceIssuer(settings.TimeProvider, settings.NonceLifetime);
        var proofs = new DPoPProofValidator(settings, new ProofReplayCache());
        var tokens = new AccessTokenService(settings.TimeProvider);
        var tokenEndpoint = new TokenEndpoint(settings, log, proofs, tokens, settings.RequireNonceAtTokenEndpoint ? tokenNonces : null);
        var resourceEndpoint = new ResourceEndpoint(settings, log, proofs, tokens, settings.RequireNonceAtResource ? resourceNonces : null);

        WebApplication? app = null;
        try
        {
            // The empty builder reads no configuration files, environment variables or command line.
            var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions
            {
                ApplicationName = typeof(DemoServer).Assembly.GetName().Name,
                ContentRootPath = AppContext.BaseDirectory,
                EnvironmentName = Environments.Production,
            });
            builder.Logging.ClearProviders();
            builder.Services.AddRoutingCore();
            builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
            builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = ShutdownTimeout);
            builder.WebHost.UseKestrelCore().ConfigureKestrel(kestrel =>
            {
                kestrel.AddServerHeader = false;
                kestrel.Listen(IPAddress.Loopback, settings.Port); // loopback only, never any other interface
            });

            app = builder.Build();
            app.MapPost("/connect/token", tokenEndpoint.HandleAsync);
            app.Map("/api/{**path}", resourceEndpoint.HandleAsync);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var port = GetBoundPort(app);
            return new DemoServer(app, tokens, tokenNonces, resourceNonces, log, port);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            tokens.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Replaces the nonces of the token endpoint and of the resource server now: the current ones become the
    /// previous ones (still accepted), and the previous ones are no longer accepted.
    /// </summary>
    public void RotateNonces()
    {
        _tokenNonces.Rotate();
        _resourceNonces.Rotate();
    }

    /// <summary>Stops the server, waiting a few seconds at most for requests in flight, and releases its resources.</summary>
    /// <returns>A task that completes when the server has stopped.</returns>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        try
        {
            using var timeout = new CancellationTokenSource(ShutdownTimeout);
            await _app.StopAsync(timeout.Token).ConfigureAwait(false);
        }
        finally
        {
            await _app.DisposeAsync().ConfigureAwait(false);
            _tokens.Dispose();
        }
    }

    /// <summary>The issuer of tokens, the same as <see cref="BaseAddress"/>, from the port the request came in on.</summary>
    internal static string IssuerFor(HttpContext context) => BaseAddressFor(context.Connection.LocalPort).AbsoluteUri;

    private static Uri BaseAddressFor(int port) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));

    private static int GetBoundPort(WebApplication app)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses;
        foreach (var address in addresses ?? [])
        {
            if (Uri.TryCreate(address, UriKind.Absolute, out var uri) && uri.Port > 0)
            {
                return uri.Port;
            }
        }

        throw new InvalidOperationException("Kestrel did not report the address it listens on.");
    }
}

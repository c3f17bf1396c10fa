using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace DPoP.Http.DemoServer;

/// <summary>
/// An in-process OAuth 2.0 authorization server, OpenID provider and resource server that speak DPoP (RFC 9449),
/// for samples and integration tests. It listens on <c>http://127.0.0.1</c> only and checks proofs with
/// Microsoft.IdentityModel, independently of DPoP.Http.
/// </summary>
/// <remarks>
/// <list type="bullet">
/// <item><c>POST /connect/token</c> (<see cref="TokenEndpoint"/>): the client credentials grant, and for
/// <see cref="DemoServerOptions.WebClients"/> the authorization code grant (PKCE S256 required, the code bound to
/// <c>dpop_jkt</c> when given) and the refresh token grant (rotation: each refresh token works once and needs a proof
/// of the key it is bound to); <c>client_secret_basic</c> or <c>client_secret_post</c>; answers DPoP-bound JWT access
/// tokens (<c>cnf.jkt</c>), ID tokens (RS256) and refresh tokens, or <c>use_dpop_nonce</c> (400) when the proof
/// lacks the current nonce.</item>
/// <item><c>GET /.well-known/openid-configuration</c> (<see cref="MetadataAddress"/>) and <c>GET /jwks</c>
/// (<see cref="JwksUri"/>): discovery and keys.</item>
/// <item><c>GET|POST /connect/authorize</c> (<see cref="AuthorizationEndpoint"/>): <c>response_type=code</c>,
/// <c>response_mode</c> <c>query</c> or <c>form_post</c>; shows a sign-in page with one button per user
/// (<c>POST /connect/authorize/signin</c>, form fields <c>request_id</c> and <c>user</c>), or signs in at once with
/// <see cref="DemoServerOptions.SignInAutomatically"/>.</item>
/// <item><c>POST /connect/par</c> (<see cref="PushedAuthorizationRequestEndpoint"/>, RFC 9126),
/// <c>POST /connect/revoke</c> (<see cref="RevocationEndpoint"/>, RFC 7009) and <c>GET|POST /connect/endsession</c>
/// (<see cref="EndSessionEndpoint"/>, RP-Initiated Logout).</item>
/// <item><c>/api/{**path}</c>, any method (<see cref="ApiBaseAddress"/>): requires <c>Authorization: DPoP</c> and a
/// proof with <c>ath</c>; answers 200 with a JSON echo of the request (<c>method</c>, <c>path</c>, <c>query</c>,
/// <c>jkt</c>, <c>client_id</c>, <c>sub</c>, <c>bodyLength</c>, <c>body</c>), or 401 with <c>WWW-Authenticate: DPoP</c>.</item>
/// </list>
/// <see cref="Statistics"/> counts the grants of each type (for example <see cref="DemoServerStatistics.RefreshTokenGrants"/>).
/// Every refusal names the RFC 9449 §4.3 rule it enforces in <c>error_description</c> and in <see cref="Events"/>.
/// </remarks>
public sealed class DemoServer : IAsyncDisposable
{
    internal const string TokenPath = "connect/token";
    internal const string AuthorizationPath = "connect/authorize";
    internal const string PushedAuthorizationPath = "connect/par";
    internal const string RevocationPath = "connect/revoke";
    internal const string EndSessionPath = "connect/endsession";
    internal const string JwksPath = "jwks";
    internal const string DiscoveryPath = ".well-known/openid-configuration";

    private static readonly TimeSpan ShutdownTimeout = TimeSpan.FromSeconds(5);

    private readonly WebApplication _app;
    private readonly AccessTokenService _tokens;
    private readonly IdTokenService _idTokens;
    private readonly NonceIssuer _tokenNonces;
    private readonly NonceIssuer _resourceNonces;
    private readonly DemoServerEventLog _log;
    private int _disposed;

    private DemoServer(WebApplication app, AccessTokenService tokens, IdTokenService idTokens, NonceIssuer tokenNonces, NonceIssuer resourceNonces, DemoServerEventLog log, int port)
    {
        _app = app;
        _tokens = tokens;
        _idTokens = idTokens;
        _tokenNonces = tokenNonces;
        _resourceNonces = resourceNonces;
        _log = log;
        BaseAddress = BaseAddressFor(port);
        TokenEndpoint = new Uri(BaseAddress, TokenPath);
        ApiBaseAddress = new Uri(BaseAddress, "api/");
        AuthorizationEndpoint = new Uri(BaseAddress, AuthorizationPath);
        PushedAuthorizationRequestEndpoint = new Uri(BaseAddress, PushedAuthorizationPath);
        RevocationEndpoint = new Uri(BaseAddress, RevocationPath);
        EndSessionEndpoint = new Uri(BaseAddress, EndSessionPath);
        JwksUri = new Uri(BaseAddress, JwksPath);
        MetadataAddress = new Uri(BaseAddress, DiscoveryPath);
    }

    /// <summary>
    /// The issuer of ID tokens and access tokens, <see cref="BaseAddress"/> as a string (with its trailing slash):
    /// the <c>Authority</c> of an OpenID Connect client.
    /// </summary>
    public string Issuer => BaseAddress.AbsoluteUri;

    /// <summary>The discovery document: <see cref="BaseAddress"/> + <c>.well-known/openid-configuration</c>.</summary>
    public Uri MetadataAddress { get; }

    /// <summary>The public signing keys (JWKS): <see cref="BaseAddress"/> + <c>jwks</c>.</summary>
    public Uri JwksUri { get; }

    /// <summary>The authorization endpoint with its sign-in page: <see cref="BaseAddress"/> + <c>connect/authorize</c>.</summary>
    public Uri AuthorizationEndpoint { get; }

    /// <summary>The pushed authorization request endpoint (RFC 9126): <see cref="BaseAddress"/> + <c>connect/par</c>.</summary>
    public Uri PushedAuthorizationRequestEndpoint { get; }

    /// <summary>The revocation endpoint (RFC 7009): <see cref="BaseAddress"/> + <c>connect/revoke</c>.</summary>
    public Uri RevocationEndpoint { get; }

    /// <summary>The end-session endpoint (RP-Initiated Logout): <see cref="BaseAddress"/> + <c>connect/endsession</c>.</summary>
    public Uri EndSessionEndpoint { get; }

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
        var idTokens = new IdTokenService(settings.TimeProvider);
        var state = new AuthorizationState(settings.TimeProvider);
        var asNonces = settings.RequireNonceAtTokenEndpoint ? tokenNonces : null;
        var tokenEndpoint = new TokenEndpoint(settings, log, proofs, tokens, new CodeFlowGrants(settings, state, tokens, idTokens), asNonces);
        var authorizeEndpoint = new AuthorizeEndpoint(settings, log, state);
        var parEndpoint = new PushedAuthorizationEndpoint(settings, log, proofs, state, asNonces);
        var revocationEndpoint = new RevocationEndpoint(settings, log, state, tokens);
        var endSessionEndpoint = new EndSessionEndpoint(settings, log, idTokens);
        var discovery = new DiscoveryEndpoint(settings, tokens, idTokens);
        var resourceEndpoint = new ResourceEndpoint(settings, log, proofs, tokens, state, settings.RequireNonceAtResource ? resourceNonces : null);


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
            app.MapPost("/" + TokenPath, tokenEndpoint.HandleAsync);
            app.MapGet("/" + DiscoveryPath, discovery.HandleConfigurationAsync);
            app.MapGet("/" + JwksPath, discovery.HandleJwksAsync);
            app.MapMethods("/" + AuthorizationPath, [HttpMethods.Get, HttpMethods.Post], authorizeEndpoint.HandleAsync);
            app.MapPost("/" + AuthorizationPath + "/signin", authorizeEndpoint.HandleSignInAsync);
            app.MapPost("/" + PushedAuthorizationPath, parEndpoint.HandleAsync);
            app.MapPost("/" + RevocationPath, revocationEndpoint.HandleAsync);
            app.MapMethods("/" + EndSessionPath, [HttpMethods.Get, HttpMethods.Post], endSessionEndpoint.HandleAsync);
            app.Map("/api/{**path}", resourceEndpoint.HandleAsync);
            await app.StartAsync(cancellationToken).ConfigureAwait(false);

            var port = KestrelAddress.BaseAddressOf(app.Services).Port;
            return new DemoServer(app, tokens, idTokens, tokenNonces, resourceNonces, log, port);
        }
        catch
        {
            if (app is not null)
            {
                await app.DisposeAsync().ConfigureAwait(false);
            }

            tokens.Dispose();
            idTokens.Dispose();
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
            _idTokens.Dispose();
        }
    }

    /// <summary>The issuer of tokens, the same as <see cref="BaseAddress"/>, from the port the request came in on.</summary>
    internal static string IssuerFor(HttpContext context) => BaseAddressFor(context.Connection.LocalPort).AbsoluteUri;

    private static Uri BaseAddressFor(int port) =>
        new(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{port}/"));
}

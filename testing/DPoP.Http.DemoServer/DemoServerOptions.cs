namespace DPoP.Http.DemoServer;

/// <summary>
/// Settings of a <see cref="DemoServer"/>. They are read once, when <see cref="DemoServer.StartAsync"/> runs;
/// changing them afterwards has no effect on a running server (except the state of <see cref="TimeProvider"/>,
/// which the server keeps asking for the time).
/// </summary>
public sealed class DemoServerOptions
{
    /// <summary>The client id of the web client registered by default in <see cref="WebClients"/>.</summary>
    public const string DefaultWebClientId = "demo-web";

    /// <summary>The client secret of the web client registered by default in <see cref="WebClients"/>.</summary>
    public const string DefaultWebClientSecret = "demo-web-secret";

    /// <summary>
    /// Whether the token endpoint demands a server nonce in every proof (RFC 9449 §8): a proof without one, or with
    /// an unknown or stale one, gets <c>400 use_dpop_nonce</c> and a fresh <c>DPoP-Nonce</c>. On by default.
    /// </summary>
    public bool RequireNonceAtTokenEndpoint { get; set; } = true;

    /// <summary>
    /// Whether the resource server demands its own nonce in every proof (RFC 9449 §9): a proof without one, or with
    /// an unknown or stale one, gets <c>401</c> with <c>WWW-Authenticate: DPoP error="use_dpop_nonce"</c>. On by default.
    /// </summary>
    public bool RequireNonceAtResource { get; set; } = true;

    /// <summary>
    /// How long a nonce stays current before the next request rotates it. The current and the previous nonce are
    /// accepted, so a nonce is good for at least this long and at most twice this long. One minute by default.
    /// </summary>
    public TimeSpan NonceLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How far a proof's <c>iat</c> may lie in the past or in the future of the server's clock, and how long its
    /// <c>jti</c> is remembered to detect replays. One minute by default.
    /// </summary>
    public TimeSpan ProofLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>The lifetime of the access tokens the token endpoint issues (<c>expires_in</c>). Five minutes by default.</summary>
    public TimeSpan AccessTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The JWS algorithms accepted in proofs (case-sensitive). By default ES256, ES384, ES512, RS256, RS384, RS512,
    /// PS256, PS384 and PS512. <c>none</c> and the HMAC algorithms are always refused, whatever this list says.
    /// </summary>
    public IList<string> AllowedAlgorithms { get; } =
        ["ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512"];

    /// <summary>
    /// The confidential clients the token endpoint knows: client_id to client_secret.
    /// By default one client, <c>demo-client</c> with secret <c>demo-secret</c>.
    /// </summary>
    public IDictionary<string, string> Clients { get; } =
        new Dictionary<string, string>(StringComparer.Ordinal) { ["demo-client"] = "demo-secret" };

    /// <summary>
    /// The web clients that may use the authorization code flow (and the client credentials grant). By default one,
    /// <c>demo-web</c> with secret <c>demo-web-secret</c>, whose redirect URIs are the ASP.NET Core OpenID Connect
    /// handler's defaults on loopback, any port, http or https: <c>http://127.0.0.1/signin-oidc</c>,
    /// <c>http://localhost/signin-oidc</c>, <c>https://127.0.0.1/signin-oidc</c>, <c>https://localhost/signin-oidc</c>;
    /// after sign-out <c>…/signout-callback-oidc</c> on the same origins.
    /// </summary>
    public IList<DemoWebClient> WebClients { get; } = [CreateDefaultWebClient()];

    /// <summary>
    /// The users of the sign-in page, in the order of its buttons. By default <c>alice</c> (Alice Demo) and
    /// <c>bob</c> (Bob Demo).
    /// </summary>
    public IList<DemoUser> Users { get; } =
    [
        new DemoUser("alice", "Alice Demo", "alice@example.com"),
        new DemoUser("bob", "Bob Demo", "bob@example.com"),
    ];

    /// <summary>
    /// When true, the authorization endpoint shows no sign-in page: it signs in the user named by
    /// <c>login_hint</c> (or the first of <see cref="Users"/>) at once and redirects back, so a client that only
    /// follows redirects gets through. Off by default: the page asks for one click.
    /// </summary>
    public bool SignInAutomatically { get; set; }

    /// <summary>
    /// When true, the authorization endpoint accepts only pushed authorization requests (RFC 9126 §5); discovery
    /// says so in <c>require_pushed_authorization_requests</c>. Off by default.
    /// </summary>
    public bool RequirePushedAuthorizationRequests { get; set; }

    /// <summary>How long an authorization code may be exchanged. One minute by default.</summary>
    public TimeSpan AuthorizationCodeLifetime { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long a refresh token is valid after it was issued (each rotation starts anew). Eight hours by default.</summary>
    public TimeSpan RefreshTokenLifetime { get; set; } = TimeSpan.FromHours(8);

    /// <summary>The lifetime of ID tokens (<c>exp</c> − <c>iat</c>). Five minutes by default.</summary>
    public TimeSpan IdTokenLifetime { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>
    /// The server's clock: proof <c>iat</c> windows, nonce rotation, replay-cache expiry and access-token
    /// <c>iat</c>/<c>exp</c> all read it. <see cref="System.TimeProvider.System"/> by default; tests pass a fake one.
    /// </summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>The TCP port to listen on at 127.0.0.1; 0 (the default) lets the system pick a free one.</summary>
    public int Port { get; set; }

    /// <summary>
    /// When true, the token endpoint answers <c>token_type</c> <c>Bearer</c> with a token that has no <c>cnf</c>
    /// (not bound to the proof's key), as a server that ignores DPoP would. For negative tests of clients; the
    /// resource server still accepts only DPoP-bound tokens, so such a token is refused there. Off by default.
    /// </summary>
    public bool IssueBearerTokens { get; set; }

    /// <summary>
    /// Called synchronously, on the request's thread, for every event the server records (see
    /// <see cref="DemoServerEvent"/>). It may be called from many threads at once; an exception it throws fails
    /// the request with status 500.
    /// </summary>
    public Action<DemoServerEvent>? OnEvent { get; set; }

    private static DemoWebClient CreateDefaultWebClient()
    {
        var client = new DemoWebClient { ClientId = DefaultWebClientId, ClientSecret = DefaultWebClientSecret };
        foreach (var origin in (string[])["http://127.0.0.1", "http://localhost", "https://127.0.0.1", "https://localhost"])
        {
            client.RedirectUris.Add(origin + "/signin-oidc");
            client.PostLogoutRedirectUris.Add(origin + "/signout-callback-oidc");
        }
        return client;
    }
}
